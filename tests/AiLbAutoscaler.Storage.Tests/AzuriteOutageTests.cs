using AiLbAutoscaler.Adapters.AzureStorage.Configuration;
using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.State;
using AiLbAutoscaler.Storage.Tests.Azurite;

namespace AiLbAutoscaler.Storage.Tests;

/// <summary>Stops and restarts its own Azurite mid-run; a class of its own so no other test sees the outage.</summary>
[Trait("Area", "Storage")]
public sealed class AzuriteOutageTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Storage_stopping_mid_run_gives_clear_errors_signals_the_lost_lease_and_loses_no_acknowledged_write()
    {
        var storage = azurite.NewStorage(o => o.RequestTimeoutSeconds = 2);

        // Acknowledged writes: every call below returned before the outage.
        var states = new Dictionary<string, StackState>();
        string? version = null;
        for (var i = 1; i <= 5; i++)
        {
            var state = StackStateStoreTests.FullState(recommendations: 10 * i) with { ConsecutiveMissingTicks = i };
            version = await storage.State.SaveAsync("steady", state, version, CancellationToken.None);
            states["steady"] = state;
        }

        states["other"] = StackState.Empty with { LastAppliedSize = 3 };
        await storage.State.SaveAsync("other", states["other"], null, CancellationToken.None);
        var record = AuditLogTests.FullRecord("steady", DateTimeOffset.UtcNow);
        await storage.Audit.AppendAsync(record, CancellationToken.None);
        var lease = await storage.Lock.TryAcquireAsync("steady", CancellationToken.None);
        Assert.NotNull(lease);
        var lost = new TaskCompletionSource();
        lease.Lost.Register(() => lost.TrySetResult());

        await azurite.Server.StopAsync();

        // Every port fails with a message that names what failed, where, and which setting to check — and no key.
        var errors = new List<AzureStorageException>
        {
            await Assert.ThrowsAsync<AzureStorageException>(() => storage.State.SaveAsync("steady", StackState.Empty, version, CancellationToken.None)),
            await Assert.ThrowsAsync<AzureStorageException>(() => storage.State.LoadAsync("steady", CancellationToken.None)),
            await Assert.ThrowsAsync<AzureStorageException>(() => storage.Lock.TryAcquireAsync("other", CancellationToken.None)),
            await Assert.ThrowsAsync<AzureStorageException>(() => storage.Audit.AppendAsync(record, CancellationToken.None)),
            await Assert.ThrowsAsync<AzureStorageException>(() => storage.Audit.QueryAsync("steady", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, CancellationToken.None)),
        };
        Assert.All(errors, e =>
        {
            output.WriteLine(e.Message);
            Assert.True(e.Unavailable);
            Assert.StartsWith("Azure Storage is unreachable: could not ", e.Message);
            Assert.Contains("127.0.0.1:", e.Message);
            Assert.Contains("Autoscaler:Storage:ConnectionString", e.Message);
            Assert.DoesNotContain(AzuriteServer.AccountKey, e.Message);
            Assert.DoesNotContain("\n", e.Message);
        });
        Assert.Contains("save the state of stack 'steady'", errors[0].Message);
        Assert.Contains("take the lease of stack 'other'", errors[2].Message);

        // The holder cannot renew: once its lease may have expired, it is told so.
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(25));
        await lease.DisposeAsync(); // releasing fails quietly; the lease expires on its own

        await azurite.Server.StartAsync(); // same ports, same data folder

        var reader = storage.Another();
        foreach (var (stack, expected) in states)
        {
            var loaded = await reader.State.LoadAsync(stack, CancellationToken.None);
            StackStateStoreTests.AssertSameState(expected, loaded.State);
        }

        Assert.Equal(version, (await reader.State.LoadAsync("steady", CancellationToken.None)).Version);
        var audited = await reader.Audit.QueryAsync("steady", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, CancellationToken.None);
        Assert.Equal(DecisionTrigger.Timer, Assert.Single(audited).Trigger);

        // And the service is usable again.
        await reader.State.SaveAsync("steady", StackState.Empty, version, CancellationToken.None);
    }
}
