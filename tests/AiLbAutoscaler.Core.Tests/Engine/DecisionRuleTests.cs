using System.Text.Json;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;
using AiLbAutoscaler.Core.Tests.Support;
using static AiLbAutoscaler.Core.Tests.Support.Fixtures;

namespace AiLbAutoscaler.Core.Tests.Engine;

/// <summary>Every rule of issue 2 §2, one group at a time, with the expected sizes worked out in the comments.</summary>
[Trait("Area", "Engine")]
public sealed class DecisionRuleTests
{
    private const string Gpu = SignalNames.GpuUtilization;
    private const string Queue = SignalNames.QueuePerInstance;
    private const string Rate = SignalNames.RequestRate;
    private const string Latency = SignalNames.LatencyP95Ms;

    // ---------------------------------------------------------------- one recommendation per signal

    [Theory]
    // Utilization: ceil(serving × observed / target). 4 × 0.9 / 0.6 = 6 (6.000000000000001 in doubles: still 6).
    [InlineData(4, 0.9, 0.6, 6)]
    // 5 × 0.7 / 0.6 = 5.83 → 6.
    [InlineData(5, 0.7, 0.6, 6)]
    // 8 × 0.2 / 0.6 = 2.67 → 3.
    [InlineData(8, 0.2, 0.6, 3)]
    public void Utilization_signal_recommends_ceil_of_serving_times_ratio(int size, double observed, double target, int expected)
    {
        var decision = OneShot.Decide(Open(Utilization(Gpu, target)), size, (Gpu, observed));

        var rec = Assert.Single(decision.Recommendations);
        Assert.Equal((SignalStatus.Used, expected), (rec.Status, rec.RecommendedSize));
        Assert.Equal(expected, decision.DesiredSize);
    }

    [Theory]
    // Per instance: ceil(total / target), whatever the current size. 95 req/s at 10 per instance → 9.5 → 10.
    [InlineData(3, 95, 10)]
    [InlineData(30, 95, 10)]
    // 40 / 10 = 4 exactly.
    [InlineData(2, 40, 4)]
    public void Per_instance_signal_recommends_ceil_of_total_over_target(int size, double total, int expected)
    {
        var decision = OneShot.Decide(Open(PerInstance(Rate, 10)), size, (Rate, total));

        Assert.Equal(expected, Assert.Single(decision.Recommendations).RecommendedSize);
        Assert.Equal(expected, decision.DesiredSize);
    }

    [Fact]
    public void Latency_above_the_slo_drives_scale_up()
    {
        // 4 × 3000 / 2000 = 6.
        var decision = OneShot.Decide(Open(LatencySlo(2000)), 4, (Latency, 3000));

        Assert.Equal((ScalingAction.ScaleUp, 6), (decision.Action, decision.DesiredSize));
        Assert.Equal(Latency, decision.WinningSignal);
    }

    [Fact]
    public void Latency_under_the_slo_alone_abstains()
    {
        // 500 ms against a 2000 ms SLO would be 4 × 0.25 = 1 if latency voted like utilization; it must not.
        var decision = OneShot.Decide(Open(LatencySlo(2000)), 4, (Latency, 500));

        var rec = Assert.Single(decision.Recommendations);
        Assert.Equal(SignalStatus.Used, rec.Status);
        Assert.Null(rec.RecommendedSize);
        Assert.Null(decision.WinningSignal);
        Assert.Equal((ScalingAction.None, 4), (decision.Action, decision.DesiredSize));
    }

    [Fact]
    public void Latency_under_the_slo_never_pulls_below_what_other_signals_need()
    {
        // GPU: 4 × 0.45 / 0.6 = 3. Latency 500 / 2000 abstains. Result 3 (not 1, not 4).
        var policy = Open(Utilization(Gpu, 0.6), LatencySlo(2000));
        var decision = OneShot.Decide(policy, 4, (Gpu, 0.45), (Latency, 500));

        Assert.Equal((ScalingAction.ScaleDown, 3), (decision.Action, decision.DesiredSize));
        Assert.Equal(Gpu, decision.WinningSignal);
    }

    // ---------------------------------------------------------------- largest wins

    [Fact]
    public void Largest_recommendation_wins_and_is_named()
    {
        // At 4: GPU 4 × 0.9 / 0.6 = 6; queue 4 × 32 / 16 = 8; latency 4 × 2500 / 2000 = 5; rate 50 / 10 = 5. Winner: queue, 8.
        var policy = Open(Utilization(Gpu, 0.6), Utilization(Queue, 16), LatencySlo(2000), PerInstance(Rate, 10));
        var decision = OneShot.Decide(policy, 4, (Gpu, 0.9), (Queue, 32), (Latency, 2500), (Rate, 50));

        Assert.Equal(8, decision.DesiredSize);
        Assert.Equal(8, decision.RawRecommendation);
        Assert.Equal(Queue, decision.WinningSignal);
        Assert.Equal(
            [(Gpu, 6), (Queue, 8), (Latency, 5), (Rate, 5)],
            decision.Recommendations.Select(r => (r.Signal, r.RecommendedSize ?? -1)));
        Assert.Contains(Queue, decision.Explanation);
    }

    // ---------------------------------------------------------------- scale-up limit

    [Theory]
    // Default max(+100 %, +4) per 60 s (panic off so the limit shows):
    // from 2: max(2 × 2, 2 + 4) = 6 (the +4 wins); from 10: max(20, 14) = 20 (the +100 % wins).
    [InlineData(2, 100, 6)]
    [InlineData(10, 300, 20)]
    // From 3 the cap is max(6, 7) = 7; 60 req/s → 6 is under it.
    [InlineData(3, 60, 6)]
    // From 0 (nothing running, the per-instance signal still votes): max(0, 4) = 4.
    [InlineData(0, 100, 4)]
    public void Scale_up_limit_defaults_to_the_larger_of_double_and_plus_four_per_minute(int size, double rate, int expected)
    {
        var policy = Defaults(PerInstance(Rate, 10));
        policy.PanicThreshold = 0;

        var decision = OneShot.Decide(policy, size, (Rate, rate));

        Assert.Equal(expected, decision.DesiredSize);
        Assert.Equal(expected < rate / 10, decision.Limits.Any(l => l.Rule == DecisionRules.ScaleUpLimit && l.After == expected));
    }

    [Fact]
    public void Scale_up_limit_counts_growth_already_made_in_the_period()
    {
        var policy = Defaults(PerInstance(Rate, 10));
        policy.PanicThreshold = 0;
        var loop = new EngineLoop(policy, 2);

        // t = 0: 2 → 6 (cap max(4, 6)). t = 30: the period began at 2, so the cap is still 6 → hold.
        Assert.Equal(6, loop.Tick((Rate, 100)).DesiredSize);
        loop.Advance(TimeSpan.FromSeconds(30));
        var held = loop.Tick((Rate, 100));
        Assert.Equal((ScalingAction.Hold, 6), (held.Action, held.DesiredSize));

        // t = 60: a new period from 6: max(12, 10) = 12 → 10 is under it.
        loop.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(10, loop.Tick((Rate, 100)).DesiredSize);
    }

    // ---------------------------------------------------------------- scale-down limit

    [Theory]
    // Default max(−10 %, −1) per 60 s, stabilization off: from 10: max(1, 1) → 9; from 50: 10 % = 5 → 45;
    // from 5: 0.5 → −1 wins → 4; from 2 to 1: −1 → 1.
    [InlineData(10, 9)]
    [InlineData(50, 45)]
    [InlineData(5, 4)]
    [InlineData(2, 1)]
    public void Scale_down_limit_defaults_to_the_larger_of_ten_percent_and_one_per_minute(int size, int expected)
    {
        var policy = Defaults(PerInstance(Rate, 10));
        policy.ScaleDownStabilizationSeconds = 0;

        var decision = OneShot.Decide(policy, size, (Rate, 5)); // wants ceil(5 / 10) = 1

        Assert.Equal((ScalingAction.ScaleDown, expected), (decision.Action, decision.DesiredSize));
    }

    [Fact]
    public void Rate_limits_never_turn_a_scale_up_into_a_scale_down()
    {
        // A manual rescale took 2 → 10 thirty seconds ago. The period began at 2, so the default cap is max(4, 6) = 6:
        // no more growth this period. The signals want 140 / 10 = 14: the answer is to hold at 10, never to shrink to 6.
        var policy = Defaults(PerInstance(Rate, 10));
        policy.PanicThreshold = 0;
        var state = StackState.Empty with { ScaleEvents = [new ScaleEvent(T0 - TimeSpan.FromSeconds(30), 2, 10)] };

        var decision = OneShot.Decide(policy, new FleetState(10), state, (Rate, 140));

        Assert.Equal((ScalingAction.Hold, 10), (decision.Action, decision.DesiredSize));
        Assert.Contains(decision.Limits, l => l is { Rule: DecisionRules.ScaleUpLimit, Before: 14, After: 10 });
    }

    [Fact]
    public void Rate_limits_never_turn_a_scale_down_into_a_scale_up()
    {
        // A manual rescale took 10 → 2 thirty seconds ago. The period began at 10, so the default floor is 9. The signals
        // want 1: the answer is to hold at 2, never to grow to 9.
        var policy = Defaults(PerInstance(Rate, 10));
        policy.ScaleDownStabilizationSeconds = 0;
        var state = StackState.Empty with { ScaleEvents = [new ScaleEvent(T0 - TimeSpan.FromSeconds(30), 10, 2)] };

        var decision = OneShot.Decide(policy, new FleetState(2), state, (Rate, 5));

        Assert.Equal((ScalingAction.Hold, 2), (decision.Action, decision.DesiredSize));
    }

    [Fact]
    public void The_period_start_is_the_size_before_every_change_of_the_period()
    {
        // HPA: periodStart = current − added + removed. 2 → 6 at −50 s, 6 → 5 at −20 s: the period began at 2,
        // so the default cap is max(2 × 2, 2 + 4) = 6 and a want of 10 gets 6 (not 5: ignoring the removal would
        // put the period start at 1 and the cap at max(2, 5) = 5).
        var policy = Defaults(PerInstance(Rate, 10));
        policy.PanicThreshold = 0;
        var state = StackState.Empty with
        {
            ScaleEvents = [new ScaleEvent(T0 - TimeSpan.FromSeconds(50), 2, 6), new ScaleEvent(T0 - TimeSpan.FromSeconds(20), 6, 5)],
        };

        Assert.Equal(6, OneShot.Decide(policy, new FleetState(5), state, (Rate, 100)).DesiredSize);
    }

    // ---------------------------------------------------------------- stabilization default

    [Fact]
    public void Scale_down_stabilization_defaults_to_600_seconds_of_the_highest_recommendation()
    {
        var loop = new EngineLoop(Defaults(PerInstance(Rate, 10)), 10);
        loop.Tick((Rate, 100)); // t = 0: 10

        // t = 60 … 540: wants 5; the 10 of t = 0 holds the size.
        for (var minute = 1; minute <= 9; minute++)
        {
            loop.AdvanceMinutes(1);
            Assert.Equal(10, loop.Tick((Rate, 50)).DesiredSize);
        }

        // t = 600: the 10 has aged out; the default scale-down limit then allows −1 a minute.
        loop.AdvanceMinutes(1);
        Assert.Equal(9, loop.Tick((Rate, 50)).DesiredSize);
        loop.AdvanceMinutes(1);
        Assert.Equal(8, loop.Tick((Rate, 50)).DesiredSize);
    }

    // ---------------------------------------------------------------- initializing instances

    private static readonly TimeSpan Old = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan Young = TimeSpan.FromSeconds(30);

    [Fact]
    public void Initializing_instances_count_as_capacity_and_their_metrics_are_ignored()
    {
        // 4 instances, 2 of them 30 s old (initialization 180 s). GPU 0.9 is the mean of the 2 serving ones:
        // ceil(2 × 0.9 / 0.6) = 3. The group already has 4 → no scale-up (ceil(4 × 1.5) = 6 would double-count the load).
        var policy = Open(Utilization(Gpu, 0.6));
        policy.InitializationPeriodSeconds = 180;
        var fleet = new FleetState(4, [Old, Old, Young, Young]);

        var decision = OneShot.Decide(policy, fleet, StackState.Empty, (Gpu, 0.9));

        Assert.Equal(3, decision.RawRecommendation);
        Assert.Equal((ScalingAction.Hold, 4), (decision.Action, decision.DesiredSize));
        Assert.Contains(decision.Limits, l => l.Rule == DecisionRules.NoScaleDown && l.Detail.Contains("2 instance(s) still initializing"));
    }

    [Fact]
    public void No_scale_down_while_any_instance_initializes_but_scale_up_still_happens()
    {
        var policy = Open(Utilization(Gpu, 0.6));
        policy.InitializationPeriodSeconds = 180;
        var fleet = new FleetState(4, [Old, Old, Old, Young]);

        // 3 serving × 0.2 / 0.6 = 1 → would shrink to 1; one instance is initializing → hold at 4.
        var low = OneShot.Decide(policy, fleet, StackState.Empty, (Gpu, 0.2));
        Assert.Equal((ScalingAction.Hold, 4), (low.Action, low.DesiredSize));

        // 3 × 1.0 / 0.6 = 5 → scale up to 5.
        var high = OneShot.Decide(policy, fleet, StackState.Empty, (Gpu, 1.0));
        Assert.Equal((ScalingAction.ScaleUp, 5), (high.Action, high.DesiredSize));

        // Once the young one is past 180 s, the scale-down goes ahead: ceil(4 × 0.2 / 0.6) = ceil(1.33) = 2.
        var settled = OneShot.Decide(policy, new FleetState(4, [Old, Old, Old, TimeSpan.FromSeconds(180)]), StackState.Empty, (Gpu, 0.2));
        Assert.Equal((ScalingAction.ScaleDown, 2), (settled.Action, settled.DesiredSize));
    }

    [Fact]
    public void When_every_instance_initializes_mean_signals_are_ignored_and_totals_still_vote()
    {
        var policy = Open(Utilization(Gpu, 0.6), PerInstance(Rate, 10));
        policy.InitializationPeriodSeconds = 180;
        var fleet = new FleetState(2, [Young, Young]);

        // GPU has no serving instance to speak for; the rate 60 / 10 = 6 still counts.
        var decision = OneShot.Decide(policy, fleet, StackState.Empty, (Gpu, 0.99), (Rate, 60));

        Assert.Equal(SignalStatus.Ignored, decision.Recommendations[0].Status);
        Assert.Equal((ScalingAction.ScaleUp, 6, Rate), (decision.Action, decision.DesiredSize, decision.WinningSignal));
    }

    [Fact]
    public void Without_instance_ages_the_instances_added_in_the_initialization_period_are_inferred_from_scale_events()
    {
        // The source cannot tell ages. The state says this controller went 2 → 4 a minute ago: 2 serving, 2 initializing.
        var policy = Open(Utilization(Gpu, 0.6));
        policy.InitializationPeriodSeconds = 180;
        var state = StackState.Empty with { ScaleEvents = [new ScaleEvent(T0 - Minute, 2, 4)] };

        // GPU 0.2 on the 2 serving: ceil(2 × 0.2 / 0.6) = 1 → blocked, 2 initializing.
        var held = OneShot.Decide(policy, new FleetState(4), state, (Gpu, 0.2));
        Assert.Equal((ScalingAction.Hold, 4, 1), (held.Action, held.DesiredSize, held.RawRecommendation));
        Assert.Contains(held.Limits, l => l.Detail.Contains("2 instance(s) still initializing"));

        // GPU 1.5 on the 2 serving: ceil(2 × 1.5 / 0.6) = 5 (not ceil(4 × 2.5) = 10).
        var up = OneShot.Decide(policy, new FleetState(4), state, (Gpu, 1.5));
        Assert.Equal(5, up.DesiredSize);

        // The same change 200 s ago is past the 180 s period: all 4 serve, ceil(4 × 0.2 / 0.6) = 2.
        var later = StackState.Empty with { ScaleEvents = [new ScaleEvent(T0 - TimeSpan.FromSeconds(200), 2, 4)] };
        Assert.Equal(2, OneShot.Decide(policy, new FleetState(4), later, (Gpu, 0.2)).DesiredSize);
    }

    [Fact]
    public void Warm_up_accounting_stops_a_second_jump_while_the_first_boots()
    {
        // AWS warm-up semantics: t = 0, 2 instances, queue 80 vs 16 → panic to ceil(2 × 80 / 16) = 10.
        // t = 60: the 8 new ones are initializing (inferred from the scale event); the 2 serving still see 80 →
        // ceil(2 × 80 / 16) = 10 = the current size → no change. Counting all 10 as serving would ask for 50.
        var policy = Defaults(Utilization(Queue, 16));
        var loop = new EngineLoop(policy, 2);

        Assert.Equal(10, loop.Tick((Queue, 80)).DesiredSize);
        loop.AdvanceMinutes(1);
        var next = loop.Tick((Queue, 80));

        Assert.Equal((ScalingAction.None, 10), (next.Action, next.DesiredSize));
    }

    [Fact]
    public void A_fleet_that_is_only_initializing_is_not_missing_data()
    {
        // GPU images boot slowly: initialization 300 s. An operator just took the group 0 → 4; every instance is
        // initializing, so the GPU mean is set aside (Ignored). That is not missing data: it must not count towards the
        // fixed-size fallback (here 2 after 3 ticks), which would shrink a group that is still booting.
        var policy = Defaults(Utilization(Gpu, 0.6));
        policy.InitializationPeriodSeconds = 300;
        policy.Fallback = FallbackMode.FixedSize;
        policy.FallbackSize = 2;
        var loop = new EngineLoop(policy, 4) { State = StackState.Empty with { ScaleEvents = [new ScaleEvent(T0, 0, 4)] } };

        for (var minute = 1; minute <= 4; minute++)
        {
            loop.AdvanceMinutes(1);
            var decision = loop.Tick((Gpu, 0.5));
            Assert.Equal(SignalStatus.Ignored, decision.Recommendations[0].Status);
            Assert.Equal((ScalingAction.Hold, 4), (decision.Action, decision.DesiredSize));
            Assert.Contains("4 instance(s) still initializing and none serving", decision.Explanation);
        }

        Assert.Equal(0, loop.State.ConsecutiveMissingTicks);
    }

    // ---------------------------------------------------------------- missing and stale data

    [Fact]
    public void Never_scales_down_while_a_signal_is_missing()
    {
        // GPU alone says ceil(10 × 0.12 / 0.6) = 2; the queue signal is absent → hold at 10.
        var policy = Open(Utilization(Gpu, 0.6), Utilization(Queue, 16));
        var decision = OneShot.Decide(policy, 10, (Gpu, 0.12));

        Assert.Equal((ScalingAction.Hold, 10), (decision.Action, decision.DesiredSize));
        Assert.Equal(SignalStatus.Missing, decision.Recommendations[1].Status);
        Assert.Contains(decision.Limits, l => l.Rule == DecisionRules.NoScaleDown && l.Detail.Contains("never scale down on missing data"));
    }

    [Fact]
    public void Never_scales_down_on_a_stale_signal()
    {
        // MaxSignalAge 420 s; the queue reading describes a minute 500 s ago → stale, and GPU's 2 may not shrink the group.
        var policy = Open(Utilization(Gpu, 0.6), Utilization(Queue, 16));
        policy.MaxSignalAgeSeconds = 420;
        var clock = Clock();
        var now = clock.GetUtcNow();
        var input = new DecisionInput("svc", policy, new FleetState(10),
            [Reading(Gpu, 0.12, now), Reading(Queue, 1, now - TimeSpan.FromSeconds(500))], StackState.Empty);

        var decision = new DecisionEngine(clock).Decide(input).Decision;

        Assert.Equal(SignalStatus.Stale, decision.Recommendations[1].Status);
        Assert.Contains("500 s old", decision.Recommendations[1].Note);
        Assert.Equal((ScalingAction.Hold, 10), (decision.Action, decision.DesiredSize));
    }

    [Fact]
    public void Scales_up_on_the_signals_that_are_present()
    {
        // Queue missing; GPU ceil(10 × 0.72 / 0.6) = 12.
        var policy = Open(Utilization(Gpu, 0.6), Utilization(Queue, 16));
        var decision = OneShot.Decide(policy, 10, (Gpu, 0.72));

        Assert.Equal((ScalingAction.ScaleUp, 12, Gpu), (decision.Action, decision.DesiredSize, decision.WinningSignal));
    }

    [Fact]
    public void A_missing_reading_is_never_zero()
    {
        var policy = Open(Utilization(Gpu, 0.6));
        var clock = Clock();
        var input = new DecisionInput("svc", policy, new FleetState(6),
            [SignalReading.Missing(Gpu, "query timed out"), ], StackState.Empty);
        var nan = input with { Signals = [Reading(Gpu, double.NaN, clock.GetUtcNow())] };

        foreach (var candidate in new[] { input, nan })
        {
            var decision = new DecisionEngine(clock).Decide(candidate).Decision;
            Assert.Equal(SignalStatus.Missing, Assert.Single(decision.Recommendations).Status);
            Assert.Equal((ScalingAction.Hold, 6), (decision.Action, decision.DesiredSize));
        }

        Assert.Contains("query timed out", new DecisionEngine(clock).Decide(input).Decision.Recommendations[0].Note);
    }

    [Fact]
    public void After_three_ticks_without_signal_the_hold_fallback_applies()
    {
        var loop = new EngineLoop(Open(Utilization(Gpu, 0.6)), 8);

        var first = loop.TickWith([]);
        loop.AdvanceMinutes(1);
        var second = loop.TickWith([]);
        loop.AdvanceMinutes(1);
        var third = loop.TickWith([]);

        Assert.All(new[] { first, second, third }, d => Assert.Equal((ScalingAction.Hold, 8), (d.Action, d.DesiredSize)));
        Assert.Contains("holding (1 of 3 before fallback)", first.Explanation);
        Assert.Contains("holding (2 of 3 before fallback)", second.Explanation);
        Assert.Contains("fallback: hold", third.Explanation);
        Assert.Equal(3, loop.State.ConsecutiveMissingTicks);

        // A usable signal resets the count.
        loop.AdvanceMinutes(1);
        loop.Tick((Gpu, 0.6));
        Assert.Equal(0, loop.State.ConsecutiveMissingTicks);
    }

    [Fact]
    public void After_n_ticks_without_signal_the_fixed_size_fallback_applies()
    {
        var policy = Open(Utilization(Gpu, 0.6));
        policy.Fallback = FallbackMode.FixedSize;
        policy.FallbackSize = 5;
        policy.MissingTicksBeforeFallback = 2;
        var loop = new EngineLoop(policy, 8);

        // Tick 1 (1 of 2): hold at 8. Tick 2 (2 of 2): go to the fixed 5.
        Assert.Equal(8, loop.TickWith([]).DesiredSize);
        loop.AdvanceMinutes(1);
        var fallback = loop.TickWith([]);
        Assert.Equal((ScalingAction.ScaleDown, 5), (fallback.Action, fallback.DesiredSize));
        Assert.Contains(fallback.Limits, l => l is { Rule: DecisionRules.Fallback, Before: 8, After: 5 });
    }

    [Theory]
    // ScaleOutOnly never removes instances, the fallback's included: a fixed 5 from 8 holds at 8; a fixed 10 from 8 grows.
    [InlineData(5, ScalingAction.Hold, 8)]
    [InlineData(10, ScalingAction.ScaleUp, 10)]
    public void The_fixed_size_fallback_respects_ScaleOutOnly(int fallbackSize, ScalingAction action, int expected)
    {
        var policy = Open(Utilization(Gpu, 0.6));
        policy.Mode = ScalingMode.ScaleOutOnly;
        policy.Fallback = FallbackMode.FixedSize;
        policy.FallbackSize = fallbackSize;
        policy.MissingTicksBeforeFallback = 1;

        var decision = OneShot.Decide(policy, 8);

        Assert.Equal((action, expected), (decision.Action, decision.DesiredSize));
    }

    // ---------------------------------------------------------------- panic

    [Fact]
    public void Panic_jumps_straight_to_the_recommendation_past_the_rate_limit()
    {
        // At 2, queue 80 vs 16 → 2 × 80 / 16 = 10, load 10 / 2 = 5× ≥ 2× → panic → 10.
        // Without panic the default limit would stop at max(4, 6) = 6.
        var policy = Defaults(Utilization(Queue, 16));

        var panic = OneShot.Decide(policy, 2, (Queue, 80));
        Assert.Equal((ScalingAction.ScaleUp, 10), (panic.Action, panic.DesiredSize));
        Assert.Contains(panic.Limits, l => l.Rule == DecisionRules.Panic);
        Assert.DoesNotContain(panic.Limits, l => l.Rule == DecisionRules.ScaleUpLimit);

        policy.PanicThreshold = 0;
        Assert.Equal(6, OneShot.Decide(policy, 2, (Queue, 80)).DesiredSize);
    }

    [Theory]
    // Scale-up limit max(+50 %, +1): from 10 the cap is 15. Exactly 2× (queue 32 vs 16 → 20) is panic → 20;
    // 1.9× (30.4 → 19) is not → capped at 15.
    [InlineData(32, 20)]
    [InlineData(30.4, 15)]
    public void Panic_starts_at_twice_the_target(double queue, int expected)
    {
        var policy = Defaults(Utilization(Queue, 16));
        policy.ScaleUpLimit = new RateLimit { Percent = 50, Instances = 1, PeriodSeconds = 60 };

        Assert.Equal(expected, OneShot.Decide(policy, 10, (Queue, queue)).DesiredSize);
    }

    [Fact]
    public void Panic_is_still_capped_at_max_size()
    {
        // Wants 10, MaxSize 8.
        var policy = Defaults(Utilization(Queue, 16));
        policy.MaxSize = 8;

        var decision = OneShot.Decide(policy, 2, (Queue, 80));

        Assert.Equal(8, decision.DesiredSize);
        Assert.Contains(decision.Limits, l => l is { Rule: DecisionRules.MaxSize, Before: 10, After: 8 });
    }

    [Fact]
    public void After_panic_no_scale_down_until_a_full_window_is_calm()
    {
        // The panic rule alone (no recommendation history): the last panic 300 s ago blocks; 600 s ago it does not.
        var policy = Defaults(Utilization(Queue, 16));
        var recent = StackState.Empty with { LastPanicAt = T0 - TimeSpan.FromSeconds(300) };
        var calm = StackState.Empty with { LastPanicAt = T0 - TimeSpan.FromSeconds(600) };

        // Wants ceil(10 × 4 / 16) = 3.
        var blocked = OneShot.Decide(policy, new FleetState(10), recent, (Queue, 4));
        Assert.Equal((ScalingAction.Hold, 10), (blocked.Action, blocked.DesiredSize));
        Assert.Contains(blocked.Limits, l => l.Rule == DecisionRules.NoScaleDown && l.Detail.Contains("panic"));

        // Calm for 600 s: the default scale-down limit allows 10 → 9.
        Assert.Equal(9, OneShot.Decide(policy, new FleetState(10), calm, (Queue, 4)).DesiredSize);
    }

    [Fact]
    public void Panic_is_remembered_in_the_next_state()
    {
        var outcome = OneShot.DecideFull(Defaults(Utilization(Queue, 16)), new FleetState(2), StackState.Empty, (Queue, 80));
        Assert.Equal(T0, outcome.NextState.LastPanicAt);
    }

    // ---------------------------------------------------------------- bounds and modes

    [Theory]
    // Wants ceil(3 × 0.1 / 0.6) = 1; MinSize 2 → 2.
    [InlineData(3, 0.1, 2, DecisionRules.MinSize)]
    // Wants ceil(6 × 1.2 / 0.6) = 12; MaxSize 8 → 8.
    [InlineData(6, 1.2, 8, DecisionRules.MaxSize)]
    public void Bounds_clamp_the_decision(int size, double gpu, int expected, string rule)
    {
        var policy = Open(Utilization(Gpu, 0.6));
        policy.MinSize = 2;
        policy.MaxSize = 8;

        var decision = OneShot.Decide(policy, size, (Gpu, gpu));

        Assert.Equal(expected, decision.DesiredSize);
        Assert.Contains(decision.Limits, l => l.Rule == rule && l.After == expected);
    }

    [Fact]
    public void A_group_outside_its_bounds_is_brought_inside_even_without_data()
    {
        var policy = Open(Utilization(Gpu, 0.6));
        policy.MinSize = 1;

        var decision = OneShot.Decide(policy, 0);

        Assert.Equal((ScalingAction.ScaleUp, 1), (decision.Action, decision.DesiredSize));
    }

    [Fact]
    public void ScaleOutOnly_grows_but_never_shrinks()
    {
        var policy = Open(Utilization(Gpu, 0.6));
        policy.Mode = ScalingMode.ScaleOutOnly;

        // 4 × 0.9 / 0.6 = 6 → up; 4 × 0.15 / 0.6 = 1 → held.
        Assert.Equal(6, OneShot.Decide(policy, 4, (Gpu, 0.9)).DesiredSize);
        var down = OneShot.Decide(policy, 4, (Gpu, 0.15));
        Assert.Equal((ScalingAction.Hold, 4), (down.Action, down.DesiredSize));
        Assert.Contains(down.Limits, l => l.Detail.Contains("ScaleOutOnly"));
    }

    [Fact]
    public void Off_computes_and_records_the_recommendation_but_keeps_the_size()
    {
        var policy = Open(Utilization(Gpu, 0.6));
        policy.Mode = ScalingMode.Off;

        // Would go to 6.
        var outcome = OneShot.DecideFull(policy, new FleetState(4), StackState.Empty, (Gpu, 0.9));
        var decision = outcome.Decision;

        Assert.Equal((ScalingAction.Hold, 4), (decision.Action, decision.DesiredSize));
        Assert.Equal(6, decision.RawRecommendation);
        Assert.Equal(Gpu, decision.WinningSignal);
        Assert.Contains(decision.Limits, l => l is { Rule: DecisionRules.ModeOff, Before: 6, After: 4 });
        Assert.Equal([new RecommendationSample(T0, 6)], outcome.NextState.Recommendations);
    }

    // ---------------------------------------------------------------- manual override

    [Fact]
    public void Override_pins_the_size_until_its_time_then_autoscaling_resumes_from_it()
    {
        var loop = new EngineLoop(Defaults(Utilization(Gpu, 0.6)), 3)
        {
            State = StackState.Empty with { Override = new ManualOverride(7, "launch day", T0 + TimeSpan.FromMinutes(30)) },
        };

        // Signals want ceil(3 × 0.2 / 0.6) = 1, the pin says 7.
        var pinned = loop.Tick((Gpu, 0.2));
        Assert.Equal((ScalingAction.ScaleUp, 7), (pinned.Action, pinned.DesiredSize));
        Assert.Contains(pinned.Limits, l => l.Rule == DecisionRules.Override && l.Detail.Contains("launch day"));

        // 29 minutes later, still pinned even though the signals want ceil(7 × 0.2 / 0.6) = 3.
        loop.AdvanceMinutes(29);
        Assert.Equal(7, loop.Tick((Gpu, 0.2)).DesiredSize);
        Assert.NotNull(loop.State.Override);

        // At the pin's time it ends: the engine starts from 7 with its own rules. The 3s recorded during the hold are
        // the window's peak, and the default scale-down limit takes 7 → 6.
        loop.AdvanceMinutes(1);
        var resumed = loop.Tick((Gpu, 0.2));
        Assert.Equal((ScalingAction.ScaleDown, 7, 6), (resumed.Action, resumed.CurrentSize, resumed.DesiredSize));
        Assert.Null(loop.State.Override);
    }

    [Fact]
    public void A_manual_override_applies_in_mode_Off_too()
    {
        // GCE: with the autoscaler OFF the group is resized by hand. Mode Off stops the engine's own changes, not the
        // operator's: a pin to 7 from 3 goes to 7, and the signals' own wish (ceil(3 × 0.9 / 0.6) = 5) is still recorded.
        var policy = Open(Utilization(Gpu, 0.6));
        policy.Mode = ScalingMode.Off;
        var state = StackState.Empty with { Override = new ManualOverride(7, "launch day", T0 + TimeSpan.FromMinutes(30)) };

        var decision = OneShot.Decide(policy, new FleetState(3), state, (Gpu, 0.9));

        Assert.Equal((ScalingAction.ScaleUp, 7), (decision.Action, decision.DesiredSize));
        Assert.Equal(5, decision.RawRecommendation);
        Assert.DoesNotContain(decision.Limits, l => l.Rule == DecisionRules.ModeOff);
    }

    // ---------------------------------------------------------------- the decision value

    [Fact]
    public void Decision_holds_size_action_winner_recommendations_limits_and_a_one_line_explanation()
    {
        // At 2: queue 2 × 24 / 16 = 3; GPU 2 × 0.66 / 0.6 = 2.2 → 3 as well, but queue comes first and ties do not
        // replace the winner; latency abstains. Scale-up from 2 → 3 (cap 6).
        var policy = Defaults(Utilization(Queue, 16), Utilization(Gpu, 0.6), LatencySlo(2000));
        var decision = OneShot.Decide(policy, 2, (Queue, 24), (Gpu, 0.66), (Latency, 800));

        Assert.Equal("svc", decision.Stack);
        Assert.Equal(T0, decision.At);
        Assert.Equal((2, 3, ScalingAction.ScaleUp, Queue), (decision.CurrentSize, decision.DesiredSize, decision.Action, decision.WinningSignal));
        Assert.True(decision.ChangesSize);
        Assert.Equal(3, decision.Recommendations.Count);
        Assert.Equal(1.5, decision.Recommendations[0].Ratio);
        Assert.Empty(decision.Limits);
        Assert.Equal("scale up 2 → 3: queue_per_instance 24 vs target 16 recommends 3", decision.Explanation);
        Assert.DoesNotContain('\n', decision.Explanation);
    }

    [Fact]
    public void Explanation_names_every_limit_that_applied()
    {
        // From 2, wants 10 (rate 100 / 10), panic off: capped at 6; MaxSize 5 then bounds it.
        var policy = Defaults(PerInstance(Rate, 10));
        policy.PanicThreshold = 0;
        policy.MaxSize = 5;

        var decision = OneShot.Decide(policy, 2, (Rate, 100));

        Assert.Equal([DecisionRules.ScaleUpLimit, DecisionRules.MaxSize], decision.Limits.Select(l => l.Rule));
        Assert.StartsWith("scale up 2 → 5: request_rate 100 vs target 10 recommends 10; at most 6", decision.Explanation);
        Assert.EndsWith("bounded to [0, 5]", decision.Explanation);
    }

    [Theory]
    // Within the band: nothing calls for change → None. A rule stops a change the signals ask for → Hold.
    [InlineData(0.62, ScalingAction.None)]
    [InlineData(0.1, ScalingAction.Hold)]
    public void None_and_Hold_are_told_apart(double gpu, ScalingAction expected)
    {
        var policy = Defaults(Utilization(Gpu, 0.6)); // 600 s stabilization; from 10 a drop waits for the window
        var state = StackState.Empty with { Recommendations = [new RecommendationSample(T0 - Minute, 10)] };

        Assert.Equal(expected, OneShot.Decide(policy, new FleetState(10), state, (Gpu, gpu)).Action);
    }

    // ---------------------------------------------------------------- purity

    [Fact]
    public void Same_inputs_give_the_same_decision_and_nothing_is_kept_between_calls()
    {
        var clock = Clock();
        var engine = new DecisionEngine(clock);
        var policy = Defaults(Utilization(Gpu, 0.6), Utilization(Queue, 16), LatencySlo(2000));
        var state = StackState.Empty with
        {
            Recommendations = [new RecommendationSample(T0 - TimeSpan.FromMinutes(3), 9)],
            ScaleEvents = [new ScaleEvent(T0 - TimeSpan.FromMinutes(4), 6, 8)],
        };
        var a = new DecisionInput("svc", policy, new FleetState(8), [Reading(Gpu, 0.3, T0), Reading(Queue, 20, T0)], state);
        var b = new DecisionInput("svc", policy, new FleetState(3), [Reading(Gpu, 1.8, T0), Reading(Latency, 9000, T0)], StackState.Empty);

        var first = Serialize(engine.Decide(a));
        _ = engine.Decide(b); // a different decision in between (with a panic) must not leak into the next
        var again = Serialize(engine.Decide(a));
        var fresh = Serialize(new DecisionEngine(Clock()).Decide(a));

        Assert.Equal(first, again);
        Assert.Equal(first, fresh);
    }

    [Fact]
    public void Time_comes_from_the_time_provider()
    {
        var clock = Clock();
        var engine = new DecisionEngine(clock);
        var input = new DecisionInput("svc", Open(Utilization(Gpu, 0.6)), new FleetState(4), [Reading(Gpu, 0.6, T0)], StackState.Empty);

        Assert.Equal(T0, engine.Decide(input).Decision.At);

        // Ten minutes later the same reading is stale (420 s limit): the clock alone changed the decision.
        clock.Advance(TimeSpan.FromMinutes(10));
        var later = engine.Decide(input).Decision;
        Assert.Equal(T0 + TimeSpan.FromMinutes(10), later.At);
        Assert.Equal(SignalStatus.Stale, later.Recommendations[0].Status);
    }

    private static string Serialize(DecisionOutcome outcome) => JsonSerializer.Serialize(outcome);
}
