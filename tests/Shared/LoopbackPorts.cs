using System.Net;
using System.Net.Sockets;

namespace AiLbAutoscaler.Tests.Shared;

/// <summary>
/// Loopback ports for the servers the tests start. They come from below Linux's ephemeral range (32768 and up), so
/// that no outgoing connection or port-0 listener of a parallel test run can take one between the pick and the bind;
/// a port is checked free before it is handed out, and never handed out twice in one process.
/// </summary>
internal static class LoopbackPorts
{
    private const int Low = 20000;
    private const int High = 32000;

    // Seeded per process: repeatable for one run, different across the test projects that run in parallel.
    private static readonly Random Pick = new(Environment.ProcessId);
    private static readonly HashSet<int> Given = [];
    private static readonly Lock Gate = new();

    public static int Free()
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 500; attempt++)
            {
                var port = Pick.Next(Low, High);
                if (Given.Contains(port))
                {
                    continue;
                }

                try
                {
                    var probe = new TcpListener(IPAddress.Loopback, port);
                    probe.Start();
                    probe.Stop();
                    Given.Add(port);
                    return port;
                }
                catch (SocketException)
                {
                    // Taken; try another.
                }
            }

            throw new InvalidOperationException($"No free loopback port in [{Low}, {High}) after 500 tries.");
        }
    }

    /// <summary>True when a server's output says it could not bind its port, so a retry on another port may succeed.</summary>
    public static bool IsBindFailure(string output) =>
        output.Contains("EADDRINUSE", StringComparison.Ordinal) || output.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
}
