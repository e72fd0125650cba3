using System.Net;
using System.Net.Sockets;
using AiLbAutoscaler.Storage.Tests.Azurite;

namespace AiLbAutoscaler.Storage.Tests;

/// <summary>The fixture itself: a port taken between the pick and the bind must not fail a test run.</summary>
[Trait("Area", "Storage")]
public sealed class AzuriteFixtureTests
{
    [Fact]
    public async Task A_first_start_whose_port_was_taken_moves_to_free_ports()
    {
        await using var server = new AzuriteServer();
        var taken = server.BlobPort;
        var squatter = new TcpListener(IPAddress.Loopback, taken);
        squatter.Start();
        try
        {
            await server.StartAsync();

            Assert.True(server.IsRunning);
            Assert.NotEqual(taken, server.BlobPort);
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, server.BlobPort);
        }
        finally
        {
            squatter.Stop();
        }
    }
}
