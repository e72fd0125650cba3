using System.Diagnostics;
using AiLbAutoscaler.Storage.Tests.Azurite;

namespace AiLbAutoscaler.Storage.Tests;

/// <summary>Holds a lease longer than its duration in real time; a class of its own so it runs beside the others.</summary>
[Trait("Area", "Storage")]
public sealed class LeaseRenewalTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_long_update_keeps_the_lease_past_its_duration_and_nobody_else_gets_in()
    {
        var storage = azurite.NewStorage(); // 15 s lease, renewed every 5 s
        var holder = await storage.Lock.TryAcquireAsync("long-update", CancellationToken.None);
        Assert.NotNull(holder);
        var contender = storage.Another().Lock;
        var watch = Stopwatch.StartNew();

        // A 22 s "pulumi up": well past the 15 s lease, which only renewal keeps alive.
        var attempts = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(22))
        {
            Assert.Null(await contender.TryAcquireAsync("long-update", CancellationToken.None));
            attempts++;
            await Task.Delay(1000);
        }

        Assert.False(holder.Lost.IsCancellationRequested);
        Assert.True(attempts >= 15);

        await holder.DisposeAsync();
        await using var after = await contender.TryAcquireAsync("long-update", CancellationToken.None);
        Assert.NotNull(after);
    }
}
