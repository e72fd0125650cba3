using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Tests.Support;
using static AiLbAutoscaler.Core.Tests.Support.Fixtures;

namespace AiLbAutoscaler.Core.Tests.Engine;

/// <summary>
/// HPA's scale-up stabilization (behavior.scaleUp.stabilizationWindowSeconds): outside a panic, growth goes to the lowest
/// recommendation of the window, so a rise must hold for the window before it buys capacity.
/// </summary>
[Trait("Area", "Engine")]
public sealed class ScaleUpStabilizationTests
{
    private const string Rate = SignalNames.RequestRate;

    /// <summary>15 s ticks (a PromQL source), 10 req/s per instance, a 60 s scale-up window.</summary>
    private static EngineLoop Loop(int size, double window = 60, double panic = 0)
    {
        var policy = Open(PerInstance(Rate, 10));
        policy.ScaleUpStabilizationSeconds = window;
        policy.PanicThreshold = panic;
        return new EngineLoop(policy, size);
    }

    [Fact]
    public void One_noisy_sample_buys_nothing_and_the_hold_names_the_rule()
    {
        var loop = Loop(5);
        Assert.Equal(5, loop.Tick((Rate, 50)).DesiredSize);
        loop.Advance(TimeSpan.FromSeconds(15));

        var spike = loop.Tick((Rate, 90));
        Assert.Equal((ScalingAction.Hold, 5), (spike.Action, spike.DesiredSize));
        Assert.Equal(9, spike.RawRecommendation);
        var limit = Assert.Single(spike.Limits, l => l.Rule == DecisionRules.ScaleUpStabilization);
        Assert.Equal((9, 5), (limit.Before, limit.After));
        Assert.Contains("lowest recommendation of the last 60 s is 5", limit.Detail);

        loop.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(5, loop.Tick((Rate, 50)).DesiredSize);
    }

    [Fact]
    public void A_rise_that_holds_for_the_window_is_followed_step_by_step()
    {
        var loop = Loop(5);
        Assert.Equal(5, loop.Tick((Rate, 50)).DesiredSize);

        // 90 req/s from t = 15 s: the 5 of t = 0 leaves the (now − 60 s, now] window at t = 60 s.
        var sizes = new List<int>();
        for (var i = 1; i <= 5; i++)
        {
            loop.Advance(TimeSpan.FromSeconds(15));
            sizes.Add(loop.Tick((Rate, 90)).DesiredSize);
        }

        Assert.Equal([5, 5, 5, 9, 9], sizes);
    }

    [Fact]
    public void A_partial_rise_goes_to_the_lowest_of_the_window()
    {
        var loop = Loop(5);
        Assert.Equal(5, loop.Tick((Rate, 50)).DesiredSize);
        loop.Advance(TimeSpan.FromSeconds(15));
        loop.Tick((Rate, 70));
        loop.Advance(TimeSpan.FromSeconds(15));
        loop.Tick((Rate, 90));
        loop.Advance(TimeSpan.FromSeconds(15));
        loop.Tick((Rate, 90));
        loop.Advance(TimeSpan.FromSeconds(15));

        // Window (t = 0, t = 60]: 7, 9, 9 and now 9 → 7.
        var d = loop.Tick((Rate, 90));
        Assert.Equal((ScalingAction.ScaleUp, 7), (d.Action, d.DesiredSize));
    }

    [Fact]
    public void A_panic_bypasses_the_window()
    {
        var loop = Loop(5, panic: 2);
        Assert.Equal(5, loop.Tick((Rate, 50)).DesiredSize);
        loop.Advance(TimeSpan.FromSeconds(15));

        var surge = loop.Tick((Rate, 200));
        Assert.Equal((ScalingAction.ScaleUp, 20), (surge.Action, surge.DesiredSize));
        Assert.DoesNotContain(surge.Limits, l => l.Rule == DecisionRules.ScaleUpStabilization);
    }

    [Fact]
    public void Window_zero_is_the_HPA_default_immediate_scale_up()
    {
        var loop = Loop(5, window: 0);
        Assert.Equal(5, loop.Tick((Rate, 50)).DesiredSize);
        loop.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(9, loop.Tick((Rate, 90)).DesiredSize);
        Assert.Equal(0, new ScalingPolicy().ScaleUpStabilizationSeconds);
    }

    [Fact]
    public void At_one_tick_a_minute_a_60_s_window_holds_only_the_current_sample()
    {
        var loop = Loop(5);
        Assert.Equal(5, loop.Tick((Rate, 50)).DesiredSize);
        loop.AdvanceMinutes(1);
        Assert.Equal(9, loop.Tick((Rate, 90)).DesiredSize);
    }

    [Fact]
    public void The_default_policy_waits_a_minute_and_a_negative_window_is_refused()
    {
        Assert.Equal(60, ScalingPolicy.CreateDefault().ScaleUpStabilizationSeconds);

        var policy = ScalingPolicy.CreateDefault();
        policy.ScaleUpStabilizationSeconds = -1;
        var errors = ScalingPolicyValidator.Validate(policy, "Autoscaler:Stacks:svc:Policy");
        Assert.Contains("Autoscaler:Stacks:svc:Policy:ScaleUpStabilizationSeconds must be 0 or more (was -1).", errors);
    }
}
