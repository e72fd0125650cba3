using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;
using AiLbAutoscaler.Core.Tests.Support;
using static AiLbAutoscaler.Core.Tests.Support.Fixtures;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Core.Tests.Controller;

/// <summary>The controller (issue 2 §3) against the in-memory ports: tick, rescale, status, evaluate, and their failure paths.</summary>
[Trait("Area", "Controller")]
public sealed class AutoscaleControllerTests
{
    private const string Gpu = SignalNames.GpuUtilization;
    private const string Stack = "svc";
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>Default rules, one GPU signal at 0.6, bounds [1, 10].</summary>
    private static ScalingPolicy Policy()
    {
        var policy = Defaults(Utilization(Gpu, 0.6));
        policy.MinSize = 1;
        policy.MaxSize = 10;
        return policy;
    }

    private static ControllerHarness Harness(ScalingPolicy? policy = null, int size = 4)
    {
        var h = new ControllerHarness(policy ?? Policy());
        h.Actuator.SetSize(Stack, size);
        return h;
    }

    // ---------------------------------------------------------------- tick

    [Fact]
    public async Task Tick_reads_decides_applies_and_saves_state_and_audit()
    {
        var h = Harness();
        h.Observe(Stack, (Gpu, 0.9)); // 4 × 0.9 / 0.6 = 6

        var result = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);

        Assert.Equal(TickOutcome.Completed, result.Outcome);
        Assert.Equal((4, 6), (result.Decision!.CurrentSize, result.Decision.DesiredSize));
        Assert.Equal(ActuationOutcome.Applied, result.Actuation!.Outcome);
        Assert.Equal(6, await h.SizeAsync());
        var applied = Assert.Single(h.Actuator.Applied);
        Assert.Equal((Stack, 6, result.Decision.Explanation), applied);

        var state = await h.StateAsync();
        Assert.Equal((6, (DateTimeOffset?)T0), (state.LastAppliedSize, state.LastAppliedAt));
        Assert.Equal([new ScaleEvent(T0, 4, 6)], state.ScaleEvents);
        Assert.Equal([new RecommendationSample(T0, 6)], state.Recommendations);
        Assert.Null(state.PendingDesiredSize);

        var record = Assert.Single(await h.AuditTrailAsync());
        Assert.Equal((Stack, T0, DecisionTrigger.Timer, false), (record.Stack, record.At, record.Trigger, record.DryRun));
        Assert.Equal(Gpu, Assert.Single(record.Inputs).Signal);
        Assert.Same(result.Decision, record.Decision);
        Assert.Equal(ActuationOutcome.Applied, record.Actuation.Outcome);
    }

    [Fact]
    public async Task Tick_that_keeps_the_size_applies_nothing_but_still_saves_and_audits()
    {
        var h = Harness();
        h.Observe(Stack, (Gpu, 0.62)); // ratio 1.03: inside the dead band

        var result = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);

        Assert.Equal(ScalingAction.None, result.Decision!.Action);
        Assert.Equal(ActuationOutcome.Skipped, result.Actuation!.Outcome);
        Assert.Empty(h.Actuator.Applied);
        Assert.Equal([new RecommendationSample(T0, 4)], (await h.StateAsync()).Recommendations);
        Assert.Single(await h.AuditTrailAsync());
    }

    [Fact]
    public async Task Policy_dry_run_decides_and_remembers_but_never_applies()
    {
        var policy = Policy();
        policy.DryRun = true;
        var h = Harness(policy);
        h.Observe(Stack, (Gpu, 0.9));

        var result = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);

        Assert.Equal(6, result.Decision!.DesiredSize);
        Assert.Equal(ActuationOutcome.DryRun, result.Actuation!.Outcome);
        Assert.Equal(4, await h.SizeAsync());
        var state = await h.StateAsync();
        Assert.Equal([new RecommendationSample(T0, 6)], state.Recommendations);
        Assert.Empty(state.ScaleEvents);
        Assert.Null(state.LastAppliedSize);
        Assert.True(Assert.Single(await h.AuditTrailAsync()).DryRun);
    }

    [Theory]
    [InlineData(ActuationOutcome.Failed)]
    [InlineData(ActuationOutcome.Busy)]
    public async Task An_unapplied_size_stays_pending_and_the_next_tick_retries_it(ActuationOutcome failure)
    {
        var h = Harness();
        h.Observe(Stack, (Gpu, 0.9));
        h.Actuator.FailNext(failure);

        var first = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);

        Assert.Equal(failure, first.Actuation!.Outcome);
        Assert.Equal(4, await h.SizeAsync());
        var pending = await h.StateAsync();
        Assert.Equal(6, pending.PendingDesiredSize);
        Assert.Equal($"scripted {failure}", pending.PendingReason);
        Assert.Empty(pending.ScaleEvents); // nothing happened, so nothing counts against the rate limit

        h.Clock.Advance(Minute);
        h.Observe(Stack, (Gpu, 0.9));
        var second = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);

        Assert.Equal((ActuationOutcome.Applied, 6), (second.Actuation!.Outcome, second.Decision!.DesiredSize));
        Assert.Equal(6, await h.SizeAsync());
        var settled = await h.StateAsync();
        Assert.Null(settled.PendingDesiredSize);
        Assert.Null(settled.PendingReason);
        Assert.Equal(6, settled.LastAppliedSize);
    }

    [Fact]
    public async Task A_later_decision_that_keeps_the_size_supersedes_a_pending_one()
    {
        // Tick 1 wants 6 and the apply fails: 6 is pending. By tick 2 the load is back at target (4 × 0.6 / 0.6 = 4):
        // the fresh decision keeps 4, so nothing is pending any more and the status must not claim 6 still is.
        var h = Harness();
        h.Observe(Stack, (Gpu, 0.9));
        h.Actuator.FailNext(ActuationOutcome.Failed);
        await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);
        Assert.Equal(6, (await h.StateAsync()).PendingDesiredSize);

        h.Clock.Advance(Minute);
        h.Observe(Stack, (Gpu, 0.6));
        var second = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);

        Assert.Equal((ScalingAction.None, ActuationOutcome.Skipped), (second.Decision!.Action, second.Actuation!.Outcome));
        var status = await h.Queries.StatusAsync(Stack, None);
        Assert.Equal((4, (int?)null, (string?)null), (status.CurrentSize, status.PendingDesiredSize, status.PendingReason));
    }

    [Fact]
    public async Task A_thrown_apply_is_a_failed_actuation_and_the_size_stays_pending()
    {
        var h = new ControllerHarness(new Dictionary<string, ScalingPolicy> { [Stack] = Policy() }, wrapActuator: a => new ThrowingApplyActuator(a));
        h.Actuator.SetSize(Stack, 4);
        h.Observe(Stack, (Gpu, 0.9));

        var result = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);

        Assert.Equal(TickOutcome.Completed, result.Outcome);
        Assert.Equal((ActuationOutcome.Failed, "pulumi up exited with code 255"), (result.Actuation!.Outcome, result.Actuation.Message));
        Assert.Equal(6, (await h.StateAsync()).PendingDesiredSize);
    }

    [Fact]
    public async Task Busy_lease_skips_the_tick_and_changes_nothing()
    {
        var h = Harness();
        h.Observe(Stack, (Gpu, 0.9));
        await using var other = await h.Locks.TryAcquireAsync(Stack, None);
        Assert.NotNull(other);

        var result = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);

        Assert.Equal(TickOutcome.Busy, result.Outcome);
        Assert.Null(result.Decision);
        Assert.Contains("in progress", result.Error);
        Assert.Equal(4, await h.SizeAsync());
        Assert.Null((await h.InnerStore.LoadAsync(Stack, None)).Version);
        Assert.Empty(await h.AuditTrailAsync());
    }

    [Fact]
    public async Task The_lease_is_released_after_a_tick()
    {
        var h = Harness();
        await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);

        await using var lease = await h.Locks.TryAcquireAsync(Stack, None);
        Assert.NotNull(lease);
    }

    [Fact]
    public async Task Unreadable_current_size_fails_the_tick_without_saving()
    {
        var h = new ControllerHarness(new Dictionary<string, ScalingPolicy> { [Stack] = Policy() }, wrapActuator: a => new BlindActuator(a));
        h.Observe(Stack, (Gpu, 0.9));

        var result = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);

        Assert.Equal(TickOutcome.Failed, result.Outcome);
        Assert.Contains("pulumi stack output failed", result.Error);
        Assert.Null((await h.InnerStore.LoadAsync(Stack, None)).Version);
    }

    [Fact]
    public async Task A_throwing_metrics_source_is_treated_as_every_signal_missing()
    {
        var h = new ControllerHarness(new Dictionary<string, ScalingPolicy> { [Stack] = Policy() }, wrapMetrics: _ => new ThrowingMetricsSource());
        h.Actuator.SetSize(Stack, 4);

        var result = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);

        Assert.Equal(TickOutcome.Completed, result.Outcome);
        Assert.Equal((ScalingAction.Hold, 4), (result.Decision!.Action, result.Decision.DesiredSize));
        Assert.Equal(SignalStatus.Missing, Assert.Single(result.Decision.Recommendations).Status);
        Assert.Equal(1, (await h.StateAsync()).ConsecutiveMissingTicks);
        Assert.Empty(Assert.Single(await h.AuditTrailAsync()).Inputs);
    }

    [Fact]
    public async Task A_failing_audit_log_does_not_undo_the_tick()
    {
        var h = new ControllerHarness(new Dictionary<string, ScalingPolicy> { [Stack] = Policy() }, wrapAudit: a => new FailingAuditLog(a));
        h.Actuator.SetSize(Stack, 4);
        h.Observe(Stack, (Gpu, 0.9));

        var result = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);

        Assert.Equal((TickOutcome.Completed, ActuationOutcome.Applied), (result.Outcome, result.Actuation!.Outcome));
        Assert.Equal(6, (await h.StateAsync()).LastAppliedSize);
    }

    // ---------------------------------------------------------------- several stacks

    [Fact]
    public async Task TickAll_isolates_a_failing_stack()
    {
        var policies = new Dictionary<string, ScalingPolicy> { ["a"] = Policy(), ["b"] = Policy(), ["c"] = Policy() };
        var h = new ControllerHarness(policies, wrapStore: s => new FailingStateStore(s, "b"));
        foreach (var stack in policies.Keys)
        {
            h.Actuator.SetSize(stack, 4);
            h.Observe(stack, (Gpu, 0.9));
        }

        var results = await h.Controller.TickAllAsync(DecisionTrigger.Timer, None);

        Assert.Equal(["a", "b", "c"], results.Select(r => r.Stack).Order());
        var failed = Assert.Single(results, r => r.Outcome == TickOutcome.Failed);
        Assert.Equal("b", failed.Stack);
        Assert.Contains("state of 'b' is unreadable", failed.Error);
        Assert.Equal((6, 4, 6), (await h.SizeAsync("a"), await h.SizeAsync("b"), await h.SizeAsync("c")));
    }

    [Fact]
    public async Task TickAll_reports_a_busy_stack_and_ticks_the_rest()
    {
        var policies = new Dictionary<string, ScalingPolicy> { ["a"] = Policy(), ["b"] = Policy() };
        var h = new ControllerHarness(policies);
        await using var held = await h.Locks.TryAcquireAsync("a", None);

        var results = await h.Controller.TickAllAsync(DecisionTrigger.Timer, None);

        Assert.Equal(TickOutcome.Busy, results.Single(r => r.Stack == "a").Outcome);
        Assert.Equal(TickOutcome.Completed, results.Single(r => r.Stack == "b").Outcome);
    }

    [Fact]
    public async Task Each_stack_uses_its_own_policy()
    {
        var tight = Policy();
        tight.MaxSize = 5;
        var h = new ControllerHarness(new Dictionary<string, ScalingPolicy> { ["a"] = Policy(), ["b"] = tight });
        foreach (var stack in new[] { "a", "b" })
        {
            h.Actuator.SetSize(stack, 4);
            h.Observe(stack, (Gpu, 0.9)); // wants 6
        }

        await h.Controller.TickAllAsync(DecisionTrigger.Timer, None);

        Assert.Equal((6, 5), (await h.SizeAsync("a"), await h.SizeAsync("b")));
    }

    [Fact]
    public async Task Unknown_stack_is_refused_by_name()
    {
        var h = Harness();

        var ex = await Assert.ThrowsAsync<UnknownStackException>(() => h.Controller.TickAsync("nope", DecisionTrigger.Http, None));

        Assert.Equal("nope", ex.Stack);
        Assert.Contains("Autoscaler:Stacks:nope", ex.Message);
        await Assert.ThrowsAsync<UnknownStackException>(() => h.Queries.StatusAsync("nope", None));
        await Assert.ThrowsAsync<UnknownStackException>(() => h.Controller.RescaleAsync("nope", new RescaleRequest(2, "x", TimeSpan.Zero), DecisionTrigger.Http, None));
    }

    // ---------------------------------------------------------------- rescale

    public static TheoryData<int, string, double, string, string> BadRescales => new()
    {
        // size, reason, hold minutes, field, part of the message
        { 0, "launch", 0, "targetSize", "outside the stack's bounds [1, 10]" },
        { 11, "launch", 0, "targetSize", "outside the stack's bounds [1, 10]" },
        { 5, " ", 0, "reason", "reason is required" },
        { 5, "launch", -1, "holdMinutes", "holdMinutes must be in [0, 10080] (was -1)" },
        { 5, "launch", 10081, "holdMinutes", "holdMinutes must be in [0, 10080] (was 10081)" },
    };

    [Theory]
    [MemberData(nameof(BadRescales))]
    public async Task Rescale_validates_and_names_the_bad_field_changing_nothing(int size, string reason, double holdMinutes, string field, string message)
    {
        var h = Harness();

        var ex = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            h.Controller.RescaleAsync(Stack, new RescaleRequest(size, reason, TimeSpan.FromMinutes(holdMinutes)), DecisionTrigger.Http, None));

        Assert.Equal(field, ex.Field);
        Assert.Contains(message, ex.Message);
        Assert.Equal(4, await h.SizeAsync());
        Assert.Null((await h.InnerStore.LoadAsync(Stack, None)).Version);
        Assert.Empty(await h.AuditTrailAsync());
    }

    [Fact]
    public async Task Rescale_with_hold_pins_the_size_then_autoscaling_resumes_from_it()
    {
        var h = Harness(size: 3);

        var rescale = await h.Controller.RescaleAsync(Stack, new RescaleRequest(7, "launch day", TimeSpan.FromMinutes(30)), DecisionTrigger.Http, None);

        Assert.Equal((ScalingAction.ScaleUp, 7), (rescale.Decision!.Action, rescale.Decision.DesiredSize));
        Assert.Equal(ActuationOutcome.Applied, rescale.Actuation!.Outcome);
        Assert.Equal(7, await h.SizeAsync());
        Assert.Contains("manual rescale: launch day", h.Actuator.Applied.Single().Reason);
        Assert.Equal(new ManualOverride(7, "launch day", T0 + TimeSpan.FromMinutes(30)), (await h.StateAsync()).Override);
        Assert.Equal(DecisionTrigger.Http, Assert.Single(await h.AuditTrailAsync()).Trigger);

        // A minute later the signals want ceil(7 × 0.2 / 0.6) = 3; the pin holds 7.
        h.Clock.Advance(Minute);
        h.Observe(Stack, (Gpu, 0.2));
        var pinned = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);
        Assert.Equal((ScalingAction.Hold, 7), (pinned.Decision!.Action, pinned.Decision.DesiredSize));

        // At the end of the hold (T0 + 30 min) autoscaling resumes from 7; the default limit allows −1 a minute.
        h.Clock.Advance(TimeSpan.FromMinutes(29));
        h.Observe(Stack, (Gpu, 0.2));
        var resumed = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);
        Assert.Equal((7, 6), (resumed.Decision!.CurrentSize, resumed.Decision.DesiredSize));
        Assert.Null((await h.StateAsync()).Override);
    }

    [Fact]
    public async Task Rescale_without_hold_sets_the_size_once_and_forgets_older_recommendations()
    {
        var h = Harness(size: 8);
        h.Observe(Stack, (Gpu, 0.6));
        await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None); // records 8 in the window

        var result = await h.Controller.RescaleAsync(Stack, new RescaleRequest(5, "cost review", TimeSpan.Zero), DecisionTrigger.Http, None);

        Assert.Equal(5, result.Decision!.DesiredSize);
        Assert.Equal(5, await h.SizeAsync());
        var state = await h.StateAsync();
        Assert.Null(state.Override);
        Assert.Empty(state.Recommendations); // the 8 no longer speaks for the group
    }

    [Fact]
    public async Task Rescale_works_in_mode_Off_and_the_pin_is_what_the_group_gets()
    {
        var policy = Policy();
        policy.Mode = ScalingMode.Off;
        var h = Harness(policy, size: 3);

        var result = await h.Controller.RescaleAsync(Stack, new RescaleRequest(7, "launch day", TimeSpan.FromMinutes(30)), DecisionTrigger.Http, None);

        Assert.Equal((ScalingAction.ScaleUp, ActuationOutcome.Applied), (result.Decision!.Action, result.Actuation!.Outcome));
        Assert.Equal(7, await h.SizeAsync());
        var status = await h.Queries.StatusAsync(Stack, None);
        Assert.Equal((7, 7), (status.CurrentSize, status.Override!.Size));
    }

    [Fact]
    public async Task Rescale_while_the_stack_is_leased_is_busy()
    {
        var h = Harness();
        await using var other = await h.Locks.TryAcquireAsync(Stack, None);

        var result = await h.Controller.RescaleAsync(Stack, new RescaleRequest(6, "launch", TimeSpan.Zero), DecisionTrigger.Http, None);

        Assert.Equal(TickOutcome.Busy, result.Outcome);
        Assert.Equal(4, await h.SizeAsync());
        Assert.Empty(await h.AuditTrailAsync());
    }

    // ---------------------------------------------------------------- status

    [Fact]
    public async Task Status_reports_size_override_pending_and_the_latest_decisions_newest_first()
    {
        var h = Harness();
        h.Options.StatusDecisionCount = 2;
        for (var i = 0; i < 3; i++)
        {
            h.Observe(Stack, (Gpu, 0.6));
            await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);
            h.Clock.Advance(Minute);
        }

        await h.Controller.RescaleAsync(Stack, new RescaleRequest(6, "launch", TimeSpan.FromHours(1)), DecisionTrigger.Http, None);

        var status = await h.Queries.StatusAsync(Stack, None);

        Assert.Equal((Stack, 6), (status.Stack, status.CurrentSize));
        Assert.Null(status.CurrentSizeError);
        Assert.Equal(6, status.Override!.Size);
        Assert.Null(status.PendingDesiredSize);
        Assert.Equal((6, (DateTimeOffset?)(T0 + 3 * Minute)), (status.LastAppliedSize, status.LastAppliedAt));
        Assert.Equal([T0 + 3 * Minute, T0 + 2 * Minute], status.RecentDecisions.Select(r => r.At));
        Assert.Equal(DecisionTrigger.Http, status.RecentDecisions[0].Trigger);
    }

    [Fact]
    public async Task Status_finds_the_latest_decisions_however_far_apart_they_are()
    {
        // Decisions at T0, T0 + 2 h and T0 + 3 d: the two newest lie beyond the first hour and the first day looked at.
        var h = Harness();
        h.Options.StatusDecisionCount = 2;
        foreach (var gap in new[] { TimeSpan.Zero, TimeSpan.FromHours(2), TimeSpan.FromDays(3) - TimeSpan.FromHours(2) })
        {
            h.Clock.Advance(gap);
            h.Observe(Stack, (Gpu, 0.6));
            await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);
        }

        h.Clock.Advance(TimeSpan.FromHours(5));
        var status = await h.Queries.StatusAsync(Stack, None);

        Assert.Equal([T0 + TimeSpan.FromDays(3), T0 + TimeSpan.FromHours(2)], status.RecentDecisions.Select(r => r.At));
    }

    [Fact]
    public async Task Status_drops_an_expired_override_and_survives_an_unreadable_size()
    {
        var h = new ControllerHarness(new Dictionary<string, ScalingPolicy> { [Stack] = Policy() }, wrapActuator: a => new BlindActuator(a));
        await h.InnerStore.SaveAsync(Stack, StackState.Empty with { Override = new ManualOverride(5, "old", T0 - Minute) }, null, None);

        var status = await h.Queries.StatusAsync(Stack, None);

        Assert.Null(status.Override);
        Assert.Null(status.CurrentSize);
        Assert.Equal("pulumi stack output failed", status.CurrentSizeError);
    }

    // ---------------------------------------------------------------- evaluate

    [Fact]
    public async Task Evaluate_dry_run_decides_and_audits_but_applies_and_saves_nothing()
    {
        var h = Harness();
        h.Observe(Stack, (Gpu, 0.9));
        await using var held = await h.Locks.TryAcquireAsync(Stack, None); // a dry run needs no lease

        var result = await h.Controller.EvaluateAsync(Stack, dryRun: true, DecisionTrigger.Http, None);

        Assert.Equal((TickOutcome.Completed, 6), (result.Outcome, result.Decision!.DesiredSize));
        Assert.Equal(ActuationOutcome.DryRun, result.Actuation!.Outcome);
        Assert.Equal(4, await h.SizeAsync());
        Assert.Null((await h.InnerStore.LoadAsync(Stack, None)).Version);
        var record = Assert.Single(await h.AuditTrailAsync());
        Assert.True(record.DryRun);
        Assert.Equal(DecisionTrigger.Http, record.Trigger);
    }

    [Fact]
    public async Task Evaluate_without_dry_run_is_a_tick()
    {
        var h = Harness();
        h.Observe(Stack, (Gpu, 0.9));

        var result = await h.Controller.EvaluateAsync(Stack, dryRun: false, DecisionTrigger.Http, None);

        Assert.Equal(ActuationOutcome.Applied, result.Actuation!.Outcome);
        Assert.Equal(6, await h.SizeAsync());
        Assert.Equal(6, (await h.StateAsync()).LastAppliedSize);
    }

    // ---------------------------------------------------------------- state conflicts

    [Fact]
    public async Task A_state_conflict_is_merged_and_no_update_is_lost()
    {
        // While this tick decides, another writer saves first: it pins the stack and records a recommendation of its own.
        var theirs = new ManualOverride(9, "other writer", T0 + TimeSpan.FromHours(1));
        var theirSample = new RecommendationSample(T0 - TimeSpan.FromSeconds(30), 5);
        ConflictOnceStateStore? store = null;
        var h = new ControllerHarness(
            new Dictionary<string, ScalingPolicy> { [Stack] = Policy() },
            wrapStore: inner => store = new ConflictOnceStateStore(inner, s => s with
            {
                Override = theirs,
                Recommendations = [.. s.Recommendations, theirSample],
            }));
        h.Actuator.SetSize(Stack, 4);
        h.Observe(Stack, (Gpu, 0.9));

        var result = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, None);

        Assert.Equal(1, store!.Conflicts);
        Assert.Equal((TickOutcome.Completed, 6), (result.Outcome, result.Decision!.DesiredSize));
        var state = await h.StateAsync();
        // Theirs: the override and their sample. Ours: our sample, the applied change and its scale event.
        Assert.Equal(theirs, state.Override);
        Assert.Equal([theirSample, new RecommendationSample(T0, 6)], state.Recommendations);
        Assert.Equal(6, state.LastAppliedSize);
        Assert.Equal([new ScaleEvent(T0, 4, 6)], state.ScaleEvents);
    }

    [Fact]
    public async Task State_merge_keeps_both_writers_history_and_each_writers_own_changes()
    {
        var basis = StackState.Empty with { ConsecutiveMissingTicks = 2, Recommendations = [new RecommendationSample(T0 - Minute, 4)] };
        var theirs = basis with
        {
            Recommendations = [.. basis.Recommendations, new RecommendationSample(T0, 7)],
            LastPanicAt = T0,
            Override = new ManualOverride(7, "theirs", T0 + Minute),
        };
        var ours = basis.WithApplied(T0, 4, 5) with
        {
            Recommendations = [.. basis.Recommendations, new RecommendationSample(T0, 5)],
            ConsecutiveMissingTicks = 0,
        };

        var merged = StateMerge.Merge(theirs, ours, basis);

        Assert.Equal([4, 5, 7], merged.Recommendations.Select(r => r.Size).Order());
        Assert.Equal(0, merged.ConsecutiveMissingTicks); // we changed it
        Assert.Equal(T0, merged.LastPanicAt);            // they set it
        Assert.Equal("theirs", merged.Override!.Reason);  // only they changed it
        Assert.Equal((5, (DateTimeOffset?)T0), (merged.LastAppliedSize, merged.LastAppliedAt));
        Assert.Equal([new ScaleEvent(T0, 4, 5)], merged.ScaleEvents);
    }
}
