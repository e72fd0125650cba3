using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;
using AiLbAutoscaler.Core.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AiLbAutoscaler.Core.Tests.Reliability;

/// <summary>The controller and engine defects of issue 9, each reproduced as it was found.</summary>
[Trait("Area", "Controller")]
public sealed class ReliabilityTests
{
    private const string Stack = "svc";

    private static ScalingPolicy Policy()
    {
        var policy = Fixtures.Defaults(Fixtures.Utilization(SignalNames.GpuUtilization, 0.6));
        policy.MinSize = 1;
        policy.MaxSize = 20;
        return policy;
    }

    // Defect 1: a clock that moves on every read, as TimeProvider.System does between I/O calls.
    [Fact]
    public async Task A_one_shot_rescale_applies_however_far_the_clock_moves_during_its_io()
    {
        var clock = new SteppingClock(Fixtures.T0, TimeSpan.FromMilliseconds(5));
        var harness = new ControllerHarness(new Dictionary<string, ScalingPolicy> { [Stack] = Policy() }, time: clock);
        harness.Actuator.SetSize(Stack, 2);

        var result = await harness.Controller.RescaleAsync(Stack, new RescaleRequest(5, "x", TimeSpan.Zero), DecisionTrigger.Http, default);

        Assert.Equal(ScalingAction.ScaleUp, result.Decision!.Action);
        Assert.Equal(ActuationOutcome.Applied, result.Actuation!.Outcome);
        Assert.Equal(5, await harness.SizeAsync());
        Assert.Null((await harness.StateAsync()).Override);
    }

    // Defect 2: the apply happened, the save after it failed.
    [Fact]
    public async Task An_apply_whose_record_fails_says_so_and_the_next_tick_reconciles_the_hold_and_the_rate_limit()
    {
        FailAfterApplyStore? store = null;
        var harness = new ControllerHarness(
            new Dictionary<string, ScalingPolicy> { [Stack] = Policy() },
            wrapStore: inner => store = new FailAfterApplyStore(inner));
        harness.Actuator.SetSize(Stack, 2);
        store!.FailSavesAfter(harness.Actuator, 1);

        var result = await harness.Controller.RescaleAsync(Stack, new RescaleRequest(8, "launch", TimeSpan.FromMinutes(60)), DecisionTrigger.Http, default);

        Assert.Equal(TickOutcome.Completed, result.Outcome);
        Assert.Equal(ActuationOutcome.Applied, result.Actuation!.Outcome);
        Assert.False(result.Recorded);
        Assert.Contains("applied, not recorded; the next tick reconciles", result.Error);
        Assert.Equal(8, await harness.SizeAsync());

        // Storage is back. Low load would take it back to 2; the hold (recorded with the intent) keeps 8.
        store.Heal();
        for (var i = 0; i < 30; i++)
        {
            harness.Clock.Advance(Fixtures.Minute);
            harness.Observe(Stack, (SignalNames.GpuUtilization, 0.05));
            await harness.Controller.TickAsync(Stack, DecisionTrigger.Timer, default);
            if (i == 0)
            {
                var state = await harness.StateAsync();
                Assert.Contains(new ScaleEvent(Fixtures.T0, 2, 8), state.ScaleEvents);
                Assert.Equal(8, state.LastAppliedSize);
                Assert.Null(state.Intent);
                Assert.Equal(8, state.Override?.Size);
            }
        }

        Assert.Equal(8, await harness.SizeAsync());
        var trail = await harness.AuditTrailAsync();
        Assert.Contains(trail, r => r.Trigger == DecisionTrigger.Http && r.Decision.DesiredSize == 8 && r.Actuation.Outcome == ActuationOutcome.Applied);
        Assert.Contains(trail, r => r.Trigger == DecisionTrigger.Reconcile && r.Decision.CurrentSize == 2 && r.Decision.DesiredSize == 8);
    }

    [Fact]
    public async Task A_scale_event_lost_with_its_record_still_counts_against_the_rate_limit()
    {
        FailAfterApplyStore? store = null;
        var harness = new ControllerHarness(
            new Dictionary<string, ScalingPolicy> { [Stack] = Policy() },
            wrapStore: inner => store = new FailAfterApplyStore(inner));
        harness.Actuator.SetSize(Stack, 5);
        // A recorded baseline at 5.
        harness.Observe(Stack, (SignalNames.GpuUtilization, 0.6));
        await harness.Controller.TickAsync(Stack, DecisionTrigger.Timer, default);

        // +4 per minute at most (defaults: max of +100 % and +4 per 60 s): 5 → 9 is applied, its record lost.
        store!.FailSavesAfter(harness.Actuator, 1);
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        harness.Observe(Stack, (SignalNames.GpuUtilization, 1.05));
        await harness.Controller.TickAsync(Stack, DecisionTrigger.Timer, default);
        Assert.Equal(9, await harness.SizeAsync());
        store.Heal();

        // Within the same minute, more load: the limit is measured from 5, so at most 10.
        harness.Clock.Advance(TimeSpan.FromSeconds(20));
        harness.Observe(Stack, (SignalNames.GpuUtilization, 1.0));
        await harness.Controller.TickAsync(Stack, DecisionTrigger.Timer, default);

        Assert.True(await harness.SizeAsync() <= 10, $"size {await harness.SizeAsync()} passed the rate limit from 5");
    }

    // Defect 5.
    [Theory]
    [InlineData(-0.05, 0)]
    [InlineData(0.3, 3600)]
    public void A_negative_or_future_reading_is_invalid_missing_and_never_a_vote(double value, int secondsAhead)
    {
        var clock = Fixtures.Clock();
        var engine = new DecisionEngine(clock);
        var policy = Policy();
        var reading = SignalReading.Of(SignalNames.GpuUtilization, value, clock.GetUtcNow().AddSeconds(secondsAhead));

        var decision = engine.Decide(new DecisionInput(Stack, policy, new FleetState(6), [reading], StackState.Empty)).Decision;

        Assert.Equal(6, decision.DesiredSize);
        var vote = Assert.Single(decision.Recommendations);
        Assert.Equal(SignalStatus.Missing, vote.Status);
        Assert.Contains("invalid", vote.Note);
    }

    // Defect 10: check the lease right before the apply.
    [Fact]
    public async Task A_lease_lost_before_the_apply_applies_nothing()
    {
        var lost = new CancellationTokenSource();
        var harness = new ControllerHarness(
            new Dictionary<string, ScalingPolicy> { [Stack] = Policy() },
            wrapActuator: inner => new LoseLeaseOnReadActuator(inner, lost),
            wrapLocks: inner => new LosableLockStandIn(inner, lost.Token));
        harness.Actuator.SetSize(Stack, 2);
        harness.Observe(Stack, (SignalNames.GpuUtilization, 1.0));

        var result = await harness.Controller.TickAsync(Stack, DecisionTrigger.Timer, default);

        Assert.Empty(harness.Actuator.Applied);
        Assert.NotEqual(ActuationOutcome.Applied, result.Actuation?.Outcome);
    }

    // Defect 10: the state write is conditional on the lease, as a fencing token.
    [Fact]
    public async Task A_writer_whose_lease_passed_to_a_later_holder_is_fenced_out_of_the_state()
    {
        var later = new StackState { LastAppliedSize = 7, LastAppliedAt = Fixtures.T0.AddSeconds(5), Fence = long.MaxValue };
        ConflictOnceStateStore? store = null;
        var harness = new ControllerHarness(
            new Dictionary<string, ScalingPolicy> { [Stack] = Policy() },
            wrapStore: inner => store = new ConflictOnceStateStore(inner, _ => later));
        harness.Actuator.SetSize(Stack, 2);
        harness.Observe(Stack, (SignalNames.GpuUtilization, 1.0));

        var result = await harness.Controller.TickAsync(Stack, DecisionTrigger.Timer, default);

        Assert.Equal(1, store!.Conflicts);
        Assert.Equal(TickOutcome.Busy, result.Outcome); // fenced at the intent: nothing applied
        Assert.Empty(harness.Actuator.Applied);
        var state = await harness.StateAsync();
        Assert.Equal(7, state.LastAppliedSize);
        Assert.Equal(long.MaxValue, state.Fence);
    }

    // Defect 10: the merge case.
    [Fact]
    public void A_merge_after_the_other_writer_applied_leaves_nothing_pending_that_is_already_applied()
    {
        var t = Fixtures.T0;
        var basis = new StackState { LastAppliedSize = 2, LastAppliedAt = t };
        var ours = basis.WithPending(5, "the lease was lost during the update");
        var theirs = basis.WithApplied(t.AddSeconds(1), 2, 5);

        var merged = StateMerge.Merge(theirs, ours, basis);

        Assert.Equal(5, merged.LastAppliedSize);
        Assert.Null(merged.PendingDesiredSize);
    }
}

/// <summary>A clock that moves forward by a step on every read, as a real one does between calls.</summary>
internal sealed class SteppingClock(DateTimeOffset start, TimeSpan step) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Add(ref _ticks, step.Ticks), TimeSpan.Zero);
}

/// <summary>A state store that fails every save once an apply has happened, until healed (storage gone mid-apply).</summary>
internal sealed class FailAfterApplyStore(IStackStateStore inner) : IStackStateStore
{
    private InMemoryFleetActuator? _actuator;
    private int _appliesBefore = int.MaxValue;

    public void FailSavesAfter(InMemoryFleetActuator actuator, int applies)
    {
        _actuator = actuator;
        _appliesBefore = actuator.Applied.Count + applies;
    }

    public void Heal() => _appliesBefore = int.MaxValue;

    public Task<VersionedStackState> LoadAsync(string stack, CancellationToken cancellationToken) => inner.LoadAsync(stack, cancellationToken);

    public Task<string> SaveAsync(string stack, StackState state, string? expectedVersion, CancellationToken cancellationToken) =>
        _actuator is not null && _actuator.Applied.Count >= _appliesBefore
            ? throw new IOException("storage unreachable")
            : inner.SaveAsync(stack, state, expectedVersion, cancellationToken);
}

/// <summary>Fires the lease's Lost token when the current size is read, i.e. after the lease was taken and before the apply.</summary>
internal sealed class LoseLeaseOnReadActuator(IFleetActuator inner, CancellationTokenSource lost) : IFleetActuator
{
    public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken)
    {
        lost.Cancel();
        return inner.GetCurrentSizeAsync(stack, cancellationToken);
    }

    public Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken) =>
        inner.ApplyAsync(stack, desiredSize, reason, cancellationToken);
}

/// <summary>A stand-in lock whose leases report lost when the test says so.</summary>
internal sealed class LosableLockStandIn(IStackLock inner, CancellationToken lost) : IStackLock
{
    public async Task<IStackLease?> TryAcquireAsync(string stack, CancellationToken cancellationToken) =>
        await inner.TryAcquireAsync(stack, cancellationToken) is { } lease ? new Lease(lease, lost) : null;

    private sealed class Lease(IStackLease inner, CancellationToken lost) : IStackLease
    {
        public string Stack => inner.Stack;

        public CancellationToken Lost => lost;

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
