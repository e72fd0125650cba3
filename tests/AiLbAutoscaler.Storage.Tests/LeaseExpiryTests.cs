using System.Diagnostics;
using AiLbAutoscaler.Storage.Tests.Azurite;
using Microsoft.Extensions.Time.Testing;

namespace AiLbAutoscaler.Storage.Tests;

/// <summary>Takes the shortest lease Azure allows (15 s) in real time; a class of its own so it runs beside the others.</summary>
[Trait("Area", "Storage")]
public sealed class LeaseExpiryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_holder_that_dies_mid_update_blocks_the_stack_until_its_lease_expires_then_the_next_tick_proceeds()
    {
        var storage = azurite.NewStorage();

        // The dying holder: its clock never moves, so it never renews and never releases, as if the process had crashed.
        var frozen = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var crashed = await storage.Another(frozen).Lock.TryAcquireAsync("crashy", CancellationToken.None);
        Assert.NotNull(crashed);
        var watch = Stopwatch.StartNew();

        var next = storage.Another().Lock;
        Core.Ports.IStackLease? lease = null;
        var refusals = 0;
        while (lease is null && watch.Elapsed < TimeSpan.FromSeconds(40))
        {
            lease = await next.TryAcquireAsync("crashy", CancellationToken.None);
            if (lease is null)
            {
                refusals++;
                await Task.Delay(250);
            }
        }

        Assert.NotNull(lease);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(13), $"the lease ended after {watch.Elapsed}, before its 15 s");
        Assert.True(watch.Elapsed <= TimeSpan.FromSeconds(25), $"the lease ended only after {watch.Elapsed}");
        Assert.True(refusals > 10);

        // The dead holder coming back cannot release (or spoil) the new holder's lease.
        await crashed.DisposeAsync();
        Assert.Null(await storage.Lock.TryAcquireAsync("crashy", CancellationToken.None));
        await lease.DisposeAsync();
    }
}
