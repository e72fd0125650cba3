using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Tests.Support;
using static AiLbAutoscaler.Core.Tests.Support.Fixtures;

namespace AiLbAutoscaler.Core.Tests.Engine;

/// <summary>
/// The worked examples of the Kubernetes HPA documentation (horizontal-pod-autoscale.md; reference §2), replayed through
/// the engine. CPU is expressed in millicores against a per-instance target, so the Utilization kind applies:
/// desired = ceil(current × observed / target).
/// </summary>
[Trait("Area", "Engine")]
public sealed class HpaWorkedExampleTests
{
    private const string Cpu = SignalNames.CpuUtilization;

    [Theory]
    // HPA doc: current 200m vs desired 100m → ratio 2.0 → replicas double: ceil(1 × 200/100) = 2.
    [InlineData(1, 200, 100, 2)]
    [InlineData(3, 200, 100, 6)]
    // HPA doc: current 50m vs desired 100m → ratio 0.5 → replicas halve: ceil(4 × 0.5) = 2, ceil(3 × 0.5) = ceil(1.5) = 2.
    [InlineData(4, 50, 100, 2)]
    [InlineData(3, 50, 100, 2)]
    // ceil rounds a fractional need up: ceil(4 × 130/100) = ceil(5.2) = 6.
    [InlineData(4, 130, 100, 6)]
    public void Formula_is_ceil_of_current_times_ratio(int current, double observedMilli, double targetMilli, int expected)
    {
        var decision = OneShot.Decide(Open(Utilization(Cpu, targetMilli)), current, (Cpu, observedMilli));

        Assert.Equal(expected, decision.DesiredSize);
        Assert.Equal(expected, Assert.Single(decision.Recommendations).RecommendedSize);
        Assert.Equal(Cpu, decision.WinningSignal);
        Assert.Equal(expected > current ? ScalingAction.ScaleUp : ScalingAction.ScaleDown, decision.Action);
    }

    [Theory]
    // Tolerance 0.1: a usage ratio in [0.9, 1.1] is no change. At 10 instances: ratio 1.05 → 10.5 → would be 11, held at 10.
    [InlineData(105, 10, ScalingAction.None)]
    [InlineData(95, 10, ScalingAction.None)]
    // The edges are inside the band: ratio 1.1 (110 vs 100) and 0.9 (90 vs 100).
    [InlineData(110, 10, ScalingAction.None)]
    [InlineData(90, 10, ScalingAction.None)]
    // Just outside: ratio 1.11 → ceil(11.1) = 12; ratio 0.89 → ceil(8.9) = 9.
    [InlineData(111, 12, ScalingAction.ScaleUp)]
    [InlineData(89, 9, ScalingAction.ScaleDown)]
    public void Tolerance_of_one_tenth_is_a_dead_band(double observedMilli, int expected, ScalingAction action)
    {
        var decision = OneShot.Decide(Open(Utilization(Cpu, 100)), 10, (Cpu, observedMilli));

        Assert.Equal(expected, decision.DesiredSize);
        Assert.Equal(action, decision.Action);
    }

    [Fact]
    public void Tolerance_is_configurable()
    {
        // KEP-4951 style: tolerance 0.05 → ratio 1.08 at 10 instances is outside the band: ceil(10.8) = 11.
        var policy = Open(Utilization(Cpu, 100));
        policy.Tolerance = 0.05;

        Assert.Equal(11, OneShot.Decide(policy, 10, (Cpu, 108)).DesiredSize);
        // And ratio 1.04 is inside it.
        Assert.Equal(10, OneShot.Decide(policy, 10, (Cpu, 104)).DesiredSize);
    }

    [Fact]
    public void Downscale_stabilization_is_a_rolling_maximum_of_recommendations()
    {
        // HPA: "the highest recommendation over the last 300 s" (approximates a rolling maximum). Request rate against a
        // per-instance target gives size-independent recommendations: ceil(total / 10).
        var policy = Open(PerInstance(SignalNames.RequestRate, 10));
        policy.ScaleDownStabilizationSeconds = 300;
        var loop = new EngineLoop(policy, 10);

        // t = 0 s: 100 req/s → 10; 60 s: 50 → 5; 120 s: 80 → 8; 180 s: 40 → 4; 240 s: 40 → 4.
        // The window (now − 300 s, now] still holds the 10 of t = 0, so the size stays at 10 throughout.
        var loads = new[] { 100.0, 50, 80, 40, 40 };
        foreach (var load in loads)
        {
            var held = loop.Tick((SignalNames.RequestRate, load));
            Assert.Equal(10, held.DesiredSize);
            loop.AdvanceMinutes(1);
        }

        // t = 300 s: the sample of t = 0 has left the window; the highest left is the 8 of t = 120 s.
        var step = loop.Tick((SignalNames.RequestRate, 40));
        Assert.Equal(8, step.DesiredSize);
        Assert.Equal(ScalingAction.ScaleDown, step.Action);
        Assert.Contains(step.Limits, l => l is { Rule: DecisionRules.Stabilization, Before: 4, After: 8 });

        // t = 360 s: 8 (t = 120) is still in the window. t = 420 s: it has left; the highest is now 4.
        loop.AdvanceMinutes(1);
        Assert.Equal(8, loop.Tick((SignalNames.RequestRate, 40)).DesiredSize);
        loop.AdvanceMinutes(1);
        Assert.Equal(4, loop.Tick((SignalNames.RequestRate, 40)).DesiredSize);
    }

    [Fact]
    public void Behavior_example_percent_policy_removes_eight_from_eighty_then_seventy_two_to_sixty_four()
    {
        // HPA behavior example: scaleDown policies {Pods 4 / 60 s, Percent 10 / 60 s}, selectPolicy Max (the larger change),
        // scaling 80 → 10. The engine's ScaleDownLimit is exactly that: the larger of Percent and Instances per period.
        var policy = Open(PerInstance(SignalNames.RequestRate, 10));
        policy.ScaleDownLimit = new RateLimit { Percent = 10, Instances = 4, PeriodSeconds = 60 };
        var loop = new EngineLoop(policy, 80);

        // Recommendation: ceil(100 / 10) = 10 at every size. Sizes per minute, by hand (10 % rounded to whole removals,
        // i.e. 80 × 0.9 = 72, 72 × 0.9 = 64.8 → 64, …; Pods removes 4):
        //   80 → 72  (10 % = 8  > 4)        72 → 64  (7.2 → 8 > 4)     64 → 57  (6.4 → 7)     57 → 51 (5.7 → 6)
        //   51 → 45  (5.1 → 6)               45 → 40  (4.5 → 5)         40 → 36  (4 = 4)       36 → 32 (3.6 → 4 = 4)
        //   32 → 28  (3.2 → 4 = 4)           28 → 24  (2.8 → 3 < 4: Pods wins)                 24 → 20, 20 → 16, 16 → 12
        //   12 → 10  (the recommendation, above the 8 the Pods policy would allow)
        int[] expected = [72, 64, 57, 51, 45, 40, 36, 32, 28, 24, 20, 16, 12, 10, 10];
        var sizes = new List<int>();
        foreach (var _ in expected)
        {
            sizes.Add(loop.Tick((SignalNames.RequestRate, 100)).DesiredSize);
            loop.AdvanceMinutes(1);
        }

        Assert.Equal(expected, sizes);
    }

    [Fact]
    public void Behavior_limit_applies_per_period_not_per_tick()
    {
        // Same policy, ticks every 15 s: the first tick takes 80 → 72; the next three ticks in the same 60 s period may
        // remove nothing more (period start 80, floor 72). At 60 s the period restarts from 72 → 64.
        var policy = Open(PerInstance(SignalNames.RequestRate, 10));
        policy.ScaleDownLimit = new RateLimit { Percent = 10, Instances = 4, PeriodSeconds = 60 };
        var loop = new EngineLoop(policy, 80);

        var sizes = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            sizes.Add(loop.Tick((SignalNames.RequestRate, 100)).DesiredSize);
            loop.Advance(TimeSpan.FromSeconds(15));
        }

        Assert.Equal([72, 72, 72, 72, 64], sizes);
    }

    [Fact]
    public void Below_forty_replicas_the_pods_policy_wins()
    {
        // At 30 replicas: Percent 10 removes 3 (→ 27), Pods removes 4 (→ 26). The larger change wins: 26.
        var policy = Open(PerInstance(SignalNames.RequestRate, 10));
        policy.ScaleDownLimit = new RateLimit { Percent = 10, Instances = 4, PeriodSeconds = 60 };

        var decision = OneShot.Decide(policy, 30, (SignalNames.RequestRate, 10));

        Assert.Equal(26, decision.DesiredSize);
        var limit = Assert.Single(decision.Limits, l => l.Rule == DecisionRules.ScaleDownLimit);
        Assert.Equal((1, 26), (limit.Before, limit.After));
    }
}
