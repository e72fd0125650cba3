using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Tests.Support;
using static AiLbAutoscaler.Core.Tests.Support.Fixtures;

namespace AiLbAutoscaler.Core.Tests.Engine;

/// <summary>
/// GCE MIG stabilization (reference §1): "the autoscaler sets the recommended size to handle peak load observed over the
/// stabilization period" (default 600 s). A rolling maximum that delays scale-in only; scale-out is immediate.
/// </summary>
[Trait("Area", "Engine")]
public sealed class GceStabilizationTests
{
    private const string Rate = SignalNames.RequestRate;

    /// <summary>Default 600 s window, no scale-in cap (so the window alone shapes the size), a per-instance target of 10 req/s.</summary>
    private static EngineLoop Loop(int size)
    {
        var policy = Open(PerInstance(Rate, 10));
        policy.ScaleDownStabilizationSeconds = 600;
        return new EngineLoop(policy, size);
    }

    [Fact]
    public void Default_window_is_600_seconds()
    {
        Assert.Equal(600, new AiLbAutoscaler.Core.Policy.ScalingPolicy().ScaleDownStabilizationSeconds);
    }

    [Fact]
    public void Recommended_size_is_the_peak_of_the_window()
    {
        var loop = Loop(10);

        // One tick a minute. Load (req/s) → recommendation ceil(load / 10):
        //   t=0: 100 → 10   t=60: 40 → 4   t=120: 70 → 7   t=180 … t=540: 40 → 4
        // The peak of (now − 600 s, now] is 10 until the t = 0 sample leaves the window at t = 600.
        double[] loads = [100, 40, 70, 40, 40, 40, 40, 40, 40, 40];
        foreach (var load in loads)
        {
            Assert.Equal(10, loop.Tick((Rate, load)).DesiredSize);
            loop.AdvanceMinutes(1);
        }

        // t = 600: the peak is now the 7 of t = 120 → scale in to 7, not to 4.
        var first = loop.Tick((Rate, 40));
        Assert.Equal((ScalingAction.ScaleDown, 7), (first.Action, first.DesiredSize));
        Assert.Equal(4, first.RawRecommendation);

        // t = 660: still 7 (t = 120 sample is 540 s old). t = 720: it has left; the peak is 4.
        loop.AdvanceMinutes(1);
        Assert.Equal(7, loop.Tick((Rate, 40)).DesiredSize);
        loop.AdvanceMinutes(1);
        Assert.Equal(4, loop.Tick((Rate, 40)).DesiredSize);
    }

    [Fact]
    public void Scale_in_waits_the_whole_window_and_says_so()
    {
        var loop = Loop(10);
        loop.Tick((Rate, 100)); // t = 0: 10

        loop.AdvanceMinutes(5);
        var held = loop.Tick((Rate, 20)); // t = 300: wants 2; the window's peak is 10
        Assert.Equal(ScalingAction.Hold, held.Action);
        Assert.Equal(10, held.DesiredSize);
        var limit = Assert.Single(held.Limits, l => l.Rule == DecisionRules.Stabilization);
        Assert.Equal((2, 10), (limit.Before, limit.After));
        Assert.Contains("600 s", limit.Detail);
    }

    [Fact]
    public void Scale_out_is_immediate_even_inside_the_window()
    {
        var loop = Loop(4);
        loop.Tick((Rate, 40)); // t = 0: 4
        loop.AdvanceMinutes(1);

        // t = 60: 120 req/s → 12 at once; the window never delays growth.
        var up = loop.Tick((Rate, 120));
        Assert.Equal((ScalingAction.ScaleUp, 12), (up.Action, up.DesiredSize));
        Assert.DoesNotContain(up.Limits, l => l.Rule == DecisionRules.Stabilization);
    }

    [Fact]
    public void Window_length_is_configurable()
    {
        // A 120 s window: t = 0 recommends 10, t = 60 and t = 120 recommend 3. At t = 120 the t = 0 sample is exactly
        // 120 s old and out of (now − 120 s, now] → 3.
        var loop = Loop(10);
        loop.Policy.ScaleDownStabilizationSeconds = 120;
        loop.Tick((Rate, 100));
        loop.AdvanceMinutes(1);
        Assert.Equal(10, loop.Tick((Rate, 30)).DesiredSize);
        loop.AdvanceMinutes(1);
        Assert.Equal(3, loop.Tick((Rate, 30)).DesiredSize);
    }
}
