using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.State;
using AiLbAutoscaler.Storage.Tests.Azurite;

namespace AiLbAutoscaler.Storage.Tests;

[Trait("Area", "Storage")]
public sealed class StackStateStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Every_field_survives_a_round_trip_through_another_instance()
    {
        var storage = azurite.NewStorage();
        var state = FullState(recommendations: 3000); // long enough to need more than one 64 KiB property

        var version = await storage.State.SaveAsync("Inference", state, null, CancellationToken.None);
        var loaded = await storage.Another().State.LoadAsync("inference", CancellationToken.None);

        Assert.Equal(version, loaded.Version);
        AssertSameState(state, loaded.State);
    }

    [Fact]
    public async Task An_empty_state_round_trips_and_an_unknown_stack_reads_as_empty_without_a_version()
    {
        var storage = azurite.NewStorage();

        var unknown = await storage.State.LoadAsync("nobody", CancellationToken.None);
        await storage.State.SaveAsync("empty", StackState.Empty, null, CancellationToken.None);
        var empty = await storage.State.LoadAsync("empty", CancellationToken.None);

        Assert.Null(unknown.Version);
        AssertSameState(StackState.Empty, unknown.State);
        Assert.NotNull(empty.Version);
        AssertSameState(StackState.Empty, empty.State);
    }

    [Fact]
    public async Task Writes_are_checked_against_the_version_read()
    {
        var store = azurite.NewStorage().State;
        var first = await store.SaveAsync("web", StackState.Empty with { ConsecutiveMissingTicks = 1 }, null, CancellationToken.None);

        // Add-only when no version is given: a second creator loses.
        await Assert.ThrowsAsync<StateConflictException>(() =>
            store.SaveAsync("web", StackState.Empty with { ConsecutiveMissingTicks = 9 }, null, CancellationToken.None));

        var second = await store.SaveAsync("web", StackState.Empty with { ConsecutiveMissingTicks = 2 }, first, CancellationToken.None);
        Assert.NotEqual(first, second);

        // A writer still holding the first version is refused, and its write changes nothing.
        var conflict = await Assert.ThrowsAsync<StateConflictException>(() =>
            store.SaveAsync("web", StackState.Empty with { ConsecutiveMissingTicks = 7 }, first, CancellationToken.None));
        Assert.Equal("web", conflict.Stack);
        var now = await store.LoadAsync("web", CancellationToken.None);
        Assert.Equal(2, now.State.ConsecutiveMissingTicks);
        Assert.Equal(second, now.Version);
    }

    [Fact]
    public async Task Parallel_writers_that_merge_on_conflict_lose_no_sample()
    {
        var storage = azurite.NewStorage();
        const int writers = 8, samplesEach = 5;

        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var store = storage.Another().State; // each writer is its own "instance"
            var conflicts = 0;
            for (var i = 0; i < samplesEach; i++)
            {
                // As the controller does: load, decide, save; on a conflict re-read and merge this decision in.
                var basis = await store.LoadAsync("shared", CancellationToken.None);
                var sample = new RecommendationSample(T0.AddSeconds((w * samplesEach) + i), w + 1);
                var ours = basis.State with { Recommendations = [.. basis.State.Recommendations, sample] };
                var (toWrite, version) = (ours, basis.Version);
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        await store.SaveAsync("shared", toWrite, version, CancellationToken.None);
                        break;
                    }
                    catch (StateConflictException) when (attempt < 200)
                    {
                        conflicts++;
                        var fresh = await store.LoadAsync("shared", CancellationToken.None);
                        (toWrite, version) = (StateMerge.Merge(fresh.State, ours, basis.State), fresh.Version);
                    }
                }
            }

            return conflicts;
        })).ToList();
        var conflictCount = (await Task.WhenAll(tasks)).Sum();

        var final = (await storage.State.LoadAsync("shared", CancellationToken.None)).State;
        var expected = Enumerable.Range(0, writers * samplesEach).Select(k => new RecommendationSample(T0.AddSeconds(k), (k / samplesEach) + 1));
        Assert.Equal(expected, final.Recommendations.OrderBy(r => r.At));
        Assert.True(conflictCount > 0, "the writers should have collided at least once, or the test proves nothing");
    }

    [Fact]
    public async Task Parallel_writers_that_re_read_on_conflict_count_every_increment()
    {
        var storage = azurite.NewStorage();
        const int writers = 8, incrementsEach = 5;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            var store = storage.Another().State;
            for (var i = 0; i < incrementsEach; i++)
            {
                while (true)
                {
                    var current = await store.LoadAsync("counter", CancellationToken.None);
                    var next = current.State with { ConsecutiveMissingTicks = current.State.ConsecutiveMissingTicks + 1 };
                    try
                    {
                        await store.SaveAsync("counter", next, current.Version, CancellationToken.None);
                        break;
                    }
                    catch (StateConflictException)
                    {
                        // Someone else wrote first: read again and redo the change.
                    }
                }
            }
        })));

        var final = await storage.State.LoadAsync("counter", CancellationToken.None);
        Assert.Equal(writers * incrementsEach, final.State.ConsecutiveMissingTicks);
    }

    [Fact]
    public async Task A_state_too_large_for_one_entity_is_refused_with_a_clear_error_and_nothing_is_written()
    {
        var store = azurite.NewStorage().State;
        var huge = FullState(recommendations: 20_000);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveAsync("huge", huge, null, CancellationToken.None));

        Assert.Contains("Recommendations", error.Message);
        Assert.Contains("huge", error.Message);
        Assert.Null((await store.LoadAsync("huge", CancellationToken.None)).Version);
    }

    [Fact]
    public async Task A_stack_name_that_cannot_be_a_key_is_rejected_before_any_request()
    {
        var store = azurite.NewStorage().State;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.LoadAsync("a/b", CancellationToken.None));

        Assert.Contains("'a/b'", error.Message);
    }

    internal static StackState FullState(int recommendations) => new()
    {
        // Times with sub-millisecond ticks and a non-UTC offset: the store keeps the instant exactly.
        Recommendations = Enumerable.Range(0, recommendations)
            .Select(i => new RecommendationSample(T0.AddTicks((i * 600_000_001L) + 7), 1 + (i % 40))).ToList(),
        ScaleEvents = [new ScaleEvent(T0.AddMinutes(-3).AddTicks(3), 2, 5), new ScaleEvent(T0.AddMinutes(-1), 5, 4)],
        ConsecutiveMissingTicks = 4,
        LastPanicAt = new DateTimeOffset(2026, 11, 26, 11, 59, 1, TimeSpan.FromHours(2)).AddTicks(1234567),
        Override = new ManualOverride(12, "launch day — hold for the keynote ✓ 🚀", T0.AddHours(6)),
        LastAppliedSize = 5,
        LastAppliedAt = T0.AddMinutes(-3).AddTicks(3),
        PendingDesiredSize = 7,
        PendingReason = "pulumi up failed: stack is locked by another update",
        LastTickId = "20261126T115900Z",
        LastTimerTickAt = T0.AddSeconds(-15).AddTicks(17),
        Intent = new ApplyIntent(3, 7, T0.AddTicks(13).ToOffset(TimeSpan.FromHours(2))),
        Fence = 41,
        Forecast = new SeasonalProfile(
            Enumerable.Range(0, 144).Select(i => i * 1.5 + 0.125).ToArray(), Enumerable.Range(0, 144).Select(i => i % 7).ToArray(), T0.AddTicks(11)),
        Demand = new DemandModel(0.0213, T0.AddMinutes(-4).AddTicks(5), [new UtilizationSample(T0.AddMinutes(-2), 3.75), new UtilizationSample(T0.AddMinutes(-1), 4.5)]),
        Headroom = new HeadroomModel(
            [new RateSample(T0.AddMinutes(-2).AddTicks(7), 101.25, 480.5), new RateSample(T0.AddMinutes(-1), 99.5, 420)],
            Enumerable.Range(0, 64).Select(i => i * 0.75 + 0.001).ToArray(), T0.AddMinutes(-1).AddTicks(9)),
        Trend = new TrendModel([new RateSample(T0.AddMinutes(-3), 80.125, 0), new RateSample(T0.AddMinutes(-2).AddTicks(1), 90.5, 0)]),
        Calm = new CalmModel([new RateSample(T0.AddMinutes(-5).AddTicks(3), 20.25, 0), new RateSample(T0.AddSeconds(-15), 21.125, 0)]),
    };

    internal static void AssertSameState(StackState expected, StackState actual)
    {
        Assert.Equal(expected.Recommendations, actual.Recommendations);
        Assert.Equal(expected.ScaleEvents, actual.ScaleEvents);
        Assert.Equal(expected.ConsecutiveMissingTicks, actual.ConsecutiveMissingTicks);
        Assert.Equal(expected.LastPanicAt, actual.LastPanicAt);
        Assert.Equal(expected.Override, actual.Override);
        Assert.Equal(expected.LastAppliedSize, actual.LastAppliedSize);
        Assert.Equal(expected.LastAppliedAt, actual.LastAppliedAt);
        Assert.Equal(expected.PendingDesiredSize, actual.PendingDesiredSize);
        Assert.Equal(expected.PendingReason, actual.PendingReason);
        Assert.Equal(expected.LastTickId, actual.LastTickId);
        Assert.Equal(expected.LastTimerTickAt, actual.LastTimerTickAt);
        Assert.Equal(expected.Forecast?.Means, actual.Forecast?.Means);
        Assert.Equal(expected.Forecast?.Samples, actual.Forecast?.Samples);
        Assert.Equal(expected.Forecast?.LastSampleAt, actual.Forecast?.LastSampleAt);
        Assert.Equal(expected.Demand?.CostPerRequest, actual.Demand?.CostPerRequest);
        Assert.Equal(expected.Demand?.LearnedAt, actual.Demand?.LearnedAt);
        Assert.Equal(expected.Demand?.Pending, actual.Demand?.Pending);
        Assert.Equal(expected.Headroom?.Recent, actual.Headroom?.Recent);
        Assert.Equal(expected.Headroom?.Weights, actual.Headroom?.Weights);
        Assert.Equal(expected.Headroom?.UpdatedAt, actual.Headroom?.UpdatedAt);
        Assert.Equal(expected.Trend?.Recent, actual.Trend?.Recent);
        Assert.Equal(expected.Calm?.Recent, actual.Calm?.Recent);
    }

    [Fact]
    public async Task A_corrupt_property_is_reported_by_name_not_read_as_empty()
    {
        var storage = azurite.NewStorage();
        await storage.State.SaveAsync("broken", FullState(recommendations: 2), null, CancellationToken.None);

        // Another writer (or a hand edit) leaves a property that is not the JSON the store wrote.
        var table = new Azure.Data.Tables.TableClient(storage.Clients.Options.ConnectionString, storage.Clients.Options.StateTableName);
        var entity = new Azure.Data.Tables.TableEntity("broken", "state") { ["Forecast"] = "{\"Means\": [1, 2" };
        await table.UpdateEntityAsync(entity, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Merge);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => storage.Another().State.LoadAsync("broken", CancellationToken.None));

        Assert.Contains("property 'Forecast' is not valid JSON", error.ToString());
    }

    [Fact]
    public void The_full_sample_sets_every_field_of_the_state()
    {
        // A field added to StackState must join FullState (and the entity), or this fails: no field may be dropped silently.
        var full = FullState(recommendations: 1);
        var unset = typeof(StackState).GetProperties()
            .Where(p => p.GetIndexParameters().Length == 0 && p.CanWrite)
            .Where(p => Equals(p.GetValue(full), p.GetValue(StackState.Empty)) || p.GetValue(full) is System.Collections.ICollection { Count: 0 })
            .Select(p => p.Name)
            .ToList();

        Assert.Empty(unset);
    }
}
