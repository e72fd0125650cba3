using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace AiLbAutoscaler.Storage.Tests.Azurite;

/// <summary>
/// A real Azurite (the Azure Storage emulator, npm <c>azurite@3.35.0</c>) on free loopback ports, with a data folder of
/// its own. It can be stopped (SIGTERM, as a service manager would) and started again on the same ports and folder.
/// If Azurite is not installed, starting fails with a message that says how to install it: tests never silently pass.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account (public, documented; not a secret).</summary>
    public const string AccountName = "devstoreaccount1";

    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly StringBuilder _output = new();
    private readonly Lock _outputGate = new();
    private Process? _process;
    private bool _started;
    private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AzuriteServer()
    {
        Executable = FindExecutable();
        Location = Directory.CreateTempSubdirectory("azurite-test-").FullName;
        (BlobPort, QueuePort, TablePort) = FreePorts();
    }

    public string Executable { get; }

    public string Location { get; }

    public int BlobPort { get; private set; }

    public int QueuePort { get; private set; }

    public int TablePort { get; private set; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Explicit endpoints for this instance's ports (UseDevelopmentStorage=true would mean the default ports).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    public string Output
    {
        get
        {
            lock (_outputGate)
            {
                return _output.ToString();
            }
        }
    }

    public static string FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("AZURITE_BIN") is { Length: > 0 } overridden)
        {
            return File.Exists(overridden)
                ? overridden
                : throw new InvalidOperationException($"AZURITE_BIN points to '{overridden}', which does not exist.");
        }

        var root = AiLbAutoscaler.Tests.Shared.RepositoryRoot.Path;
        var bin = Path.Combine(root, ".tools", "node_modules", ".bin", "azurite");
        return File.Exists(bin)
            ? bin
            : throw new InvalidOperationException(
                $"Azurite is not installed (looked for {bin}). These tests need a real Azurite: run tests/setup.sh " +
                "(installs azurite@3.35.0 into .tools/), or set AZURITE_BIN to an azurite executable.");
    }

    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        // A first start may lose its ports to another process between the pick and the bind: then it takes new ones.
        // A restart keeps its ports (the tests reconnect to the same endpoints), so it does not retry.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnceAsync();
                _started = true;
                return;
            }
            catch (InvalidOperationException) when (!_started && attempt < 4 && AiLbAutoscaler.Tests.Shared.LoopbackPorts.IsBindFailure(Output))
            {
                lock (_outputGate)
                {
                    _output.Clear();
                }

                (BlobPort, QueuePort, TablePort) = FreePorts();
            }
        }
    }

    private async Task StartOnceAsync()
    {
        _ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Location,
        };
        foreach (var arg in new[]
                 {
                     "--disableTelemetry", "--skipApiVersionCheck", "--loose", "--location", Location,
                     "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(),
                     "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(),
                     "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(),
                 })
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not start Azurite ({Executable}): {ex.Message}. Is Node.js on PATH? Run tests/setup.sh.", ex);
        }

        _process = process;
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var finished = await Task.WhenAny(_ready.Task, exited, Task.Delay(StartTimeout));
        if (finished != _ready.Task)
        {
            var why = finished == exited ? $"exited with code {process.ExitCode}" : $"did not listen within {StartTimeout.TotalSeconds} s";
            await KillAsync();
            throw new InvalidOperationException($"Azurite ({Executable}) {why}. Its output:\n{Output}");
        }

        // The log line comes just before the socket accepts; make sure all three answer.
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            await WaitForPortAsync(port);
        }
    }

    /// <summary>Stops Azurite the way a service manager would (SIGTERM): it saves its data and exits.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process || process.HasExited)
        {
            return;
        }

        _ = SysKill(process.Id, 15);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(Location, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
        _process = null;
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputGate)
        {
            _output.AppendLine(line);
        }

        if (line.Contains("Table service is successfully listening", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private static async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static (int, int, int) FreePorts() =>
        (AiLbAutoscaler.Tests.Shared.LoopbackPorts.Free(), AiLbAutoscaler.Tests.Shared.LoopbackPorts.Free(), AiLbAutoscaler.Tests.Shared.LoopbackPorts.Free());

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
}
