using System.Diagnostics;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Storage.Tests.Azurite;
using Azure.Storage.Blobs.Specialized;

namespace AiLbAutoscaler.Storage.Tests;

[Trait("Area", "Storage")]
public sealed class StackLockTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Of_many_parallel_callers_from_different_instances_exactly_one_gets_the_lease()
    {
        var storage = azurite.NewStorage();
        var callers = Enumerable.Range(0, 10).Select(_ => storage.Another().Lock).ToList();

        var leases = await Task.WhenAll(callers.Select(c => Task.Run(() => c.TryAcquireAsync("contended", CancellationToken.None))));

        var winners = leases.Where(l => l is not null).ToList();
        var winner = Assert.Single(winners);
        Assert.Equal("contended", winner!.Stack);

        // While it is held, every other caller is turned away at once; another stack is not affected.
        Assert.Null(await storage.Lock.TryAcquireAsync("CONTENDED", CancellationToken.None));
        await using (var other = await storage.Lock.TryAcquireAsync("other", CancellationToken.None))
        {
            Assert.NotNull(other);
        }

        await winner.DisposeAsync();
        await using var next = await storage.Lock.TryAcquireAsync("contended", CancellationToken.None);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task The_lease_is_released_when_the_update_fails()
    {
        var storage = azurite.NewStorage();
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var lease = await storage.Lock.TryAcquireAsync("failing", CancellationToken.None);
            Assert.NotNull(lease);
            throw new InvalidOperationException("pulumi up failed");
        });
        await using var again = await storage.Another().Lock.TryAcquireAsync("failing", CancellationToken.None);

        // Released, not expired: the 15 s lease would still be running.
        Assert.NotNull(again);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task The_first_caller_creates_the_container_and_the_stack_blob()
    {
        var storage = azurite.NewStorage();
        Assert.False(await storage.Clients.LeaseContainer.ExistsAsync());

        await using var lease = await storage.Lock.TryAcquireAsync("fresh", CancellationToken.None);

        Assert.NotNull(lease);
        var blob = storage.Clients.LeaseContainer.GetBlobClient("fresh.lock");
        var properties = await blob.GetPropertiesAsync();
        Assert.Equal(Azure.Storage.Blobs.Models.LeaseState.Leased, properties.Value.LeaseState);
        Assert.Equal(Azure.Storage.Blobs.Models.LeaseDurationType.Fixed, properties.Value.LeaseDuration);
    }

    [Fact]
    public async Task A_lease_being_broken_counts_as_held_not_as_an_error()
    {
        var storage = azurite.NewStorage();
        await using var lease = await storage.Lock.TryAcquireAsync("breaking", CancellationToken.None);
        Assert.NotNull(lease);

        // An operator breaks it with a grace period: until that ends, nobody may take it.
        await storage.Clients.LeaseContainer.GetBlobClient("breaking.lock").GetBlobLeaseClient().BreakAsync(TimeSpan.FromSeconds(10));

        Assert.Null(await storage.Another().Lock.TryAcquireAsync("breaking", CancellationToken.None));
    }

    [Fact]
    public async Task Lost_is_signalled_when_a_renewal_finds_the_lease_taken()
    {
        var storage = azurite.NewStorage(o => o.LeaseRenewIntervalSeconds = 1);
        await using var lease = await storage.Lock.TryAcquireAsync("stolen", CancellationToken.None);
        Assert.NotNull(lease);
        var lost = new TaskCompletionSource();
        lease.Lost.Register(() => lost.TrySetResult());

        // An operator breaks the lease and someone else takes it.
        var blob = storage.Clients.LeaseContainer.GetBlobClient("stolen.lock");
        await blob.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        await using var thief = await storage.Another().Lock.TryAcquireAsync("stolen", CancellationToken.None);
        Assert.NotNull(thief);

        await lost.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(lease.Lost.IsCancellationRequested);

        // Disposing the lost lease does not release the new holder's.
        await lease.DisposeAsync();
        Assert.Null(await storage.Lock.TryAcquireAsync("stolen", CancellationToken.None));
        Assert.False(thief.Lost.IsCancellationRequested);
    }
}

/// <summary>The blob lease's fencing token: every later holder of a stack's lease gets a larger one.</summary>
[Trait("Area", "Storage")]
public sealed class LeaseFenceTests(AiLbAutoscaler.Storage.Tests.Azurite.AzuriteFixture azurite) : IClassFixture<AiLbAutoscaler.Storage.Tests.Azurite.AzuriteFixture>
{
    [Fact]
    public async Task Each_later_holder_of_a_lease_gets_a_larger_fence_and_confirms_only_while_it_holds_it()
    {
        var storage = azurite.NewStorage();
        var other = storage.Another();
        var fences = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var locks = i % 2 == 0 ? storage.Lock : other.Lock;
            await using var lease = await locks.TryAcquireAsync("web", CancellationToken.None);
            Assert.NotNull(lease);
            Assert.True(await lease.ConfirmAsync(CancellationToken.None));
            fences.Add(lease.Fence);
        }

        Assert.Equal(fences.Order(), fences);
        Assert.Equal(fences.Count, fences.Distinct().Count());
        Assert.True(fences[0] > 0);

        // A broken lease no longer confirms.
        await using var held = await storage.Lock.TryAcquireAsync("web", CancellationToken.None);
        var container = await storage.Clients.GetLeaseContainerAsync(CancellationToken.None);
        await Azure.Storage.Blobs.Specialized.SpecializedBlobExtensions.GetBlobLeaseClient(container.GetBlobClient("web.lock")).BreakAsync(TimeSpan.Zero);
        Assert.False(await held!.ConfirmAsync(CancellationToken.None));
        Assert.True(held.Lost.IsCancellationRequested);
    }
}
