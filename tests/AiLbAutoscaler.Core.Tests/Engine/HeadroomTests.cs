using AiLbAutoscaler.Core.Engine.Headroom;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;
using AiLbAutoscaler.Core.Tests.Support;

namespace AiLbAutoscaler.Core.Tests.Engine;

/// <summary>Headroom learned from the rises of the request rate within the reaction time (Policy:Headroom).</summary>
[Trait("Area", "Engine")]
public sealed class HeadroomTests
{
    private static ScalingPolicy Policy(int minSamples = 5, double? minTarget = null)
    {
        var policy = Fixtures.Open(Fixtures.Utilization(SignalNames.GpuUtilization, 0.45));
        policy.InitializationPeriodSeconds = 180;
        policy.Headroom = new HeadroomOptions { Enabled = true, MinSamples = minSamples, MinTarget = minTarget };
        return policy;
    }

    /// <summary>One tick a minute; the rate reading is a minute old (reaction time 60 + 120 + 180 = 360 s: six readings).</summary>
    private static void Feed(EngineLoop loop, IEnumerable<double> rates, double utilization)
    {
        foreach (var rate in rates)
        {
            loop.AdvanceMinutes(1);
            loop.TickWith([
                SignalReading.MeanOf(SignalNames.GpuUtilization, utilization, loop.Now, instances: loop.Size),
                SignalReading.Of(SignalNames.RequestRate, rate, loop.Now - Fixtures.Minute),
            ]);
        }
    }

    [Fact]
    public void Calm_traffic_earns_a_higher_target_than_the_configured_one_and_the_vote_names_it()
    {
        var loop = new EngineLoop(Policy(), 10);
        Feed(loop, Enumerable.Repeat(100.0, 20), utilization: 0.45);

        // Twenty flat readings: 20 − 6 windows have passed, every one with no rise, so the target is saturation 0.7 / 1.
        var decision = loop.TickWith([SignalReading.MeanOf(SignalNames.GpuUtilization, 0.56, loop.Now, instances: 10)]);
        var vote = Assert.Single(decision.Recommendations, r => r.Signal == SignalNames.GpuUtilization);
        Assert.Equal(0.7, vote.Target, 9);
        Assert.Contains("learned headroom", vote.Note, StringComparison.Ordinal);
        // 10 × 0.56 / 0.7 = 8: a scale-in the fixed 0.45 (10 × 0.56 / 0.45 = 12.4) would never allow.
        Assert.Equal(8, decision.RawRecommendation);
    }

    [Fact]
    public void Bursty_traffic_needs_more_headroom_but_not_below_the_configured_target_unless_allowed()
    {
        // Rate doubles within every reaction window: the p99 rise is ×2, so the target is 0.7 / 2 = 0.35.
        var rates = Enumerable.Range(0, 40).Select(i => i % 8 < 4 ? 100.0 : 200.0).ToList();
        var floored = new EngineLoop(Policy(), 10);
        Feed(floored, rates, utilization: 0.3);
        var (held, heldNote) = HeadroomVoter.TargetOf(floored.Policy, floored.State, floored.Policy.Signals[0]);
        Assert.Equal(0.45, held, 9);
        Assert.Contains("held at the floor", heldNote, StringComparison.Ordinal);

        var open = new EngineLoop(Policy(minTarget: 0.1), 10);
        Feed(open, rates, utilization: 0.3);
        var (learned, _) = HeadroomVoter.TargetOf(open.Policy, open.State, open.Policy.Signals[0]);
        Assert.InRange(learned, 0.7 / 2 / RiseHistogram.UpperRatio(2) * RiseHistogram.UpperRatio(1), 0.7 / 2);
    }

    [Fact]
    public void Until_enough_rises_are_known_the_configured_target_applies()
    {
        var loop = new EngineLoop(Policy(minSamples: 60), 10);
        Feed(loop, Enumerable.Repeat(100.0, 30), utilization: 0.45);

        var (target, note) = HeadroomVoter.TargetOf(loop.Policy, loop.State, loop.Policy.Signals[0]);
        Assert.Equal(0.45, target);
        Assert.Null(note);
        Assert.InRange(loop.State.Headroom!.Weights.Sum(), 23.9, 24.1); // 30 readings, 6 still inside their window
    }

    [Fact]
    public void The_model_stays_bounded_and_learns_each_reading_once()
    {
        var options = new HeadroomOptions { Enabled = true };
        var model = HeadroomModel.Empty;
        var t0 = Fixtures.T0;
        for (var i = 0; i < 10_000; i++)
        {
            var sample = new RateSample(t0.AddMinutes(i), 100 + (i % 7), 480);
            model = HeadroomVoter.Learned(model, options, sample);
        }

        Assert.Equal(RiseHistogram.Buckets, model.Weights.Count);
        Assert.InRange(model.Recent.Count, 1, 9);

        // A second tick on the same reading (the load balancer's minute has not moved) adds nothing.
        var loop = new EngineLoop(Policy(), 10);
        Feed(loop, Enumerable.Repeat(100.0, 10), utilization: 0.45);
        var before = loop.State.Headroom!;
        loop.TickWith([SignalReading.Of(SignalNames.RequestRate, 100, loop.Now - Fixtures.Minute)]);
        Assert.Equal(before.Weights, loop.State.Headroom!.Weights);
        Assert.Equal(before.Recent, loop.State.Headroom!.Recent);
    }

    [Fact]
    public void Old_rises_fade_with_the_memory()
    {
        var options = new HeadroomOptions { Enabled = true, MemorySeconds = 3600 };
        var model = HeadroomVoter.Learned(HeadroomModel.Empty, options, new RateSample(Fixtures.T0, 100, 60));
        model = HeadroomVoter.Learned(model, options, new RateSample(Fixtures.T0.AddSeconds(60), 300, 60)); // a ×3 rise
        model = HeadroomVoter.Learned(model, options, new RateSample(Fixtures.T0.AddSeconds(3660), 300, 60)); // flat, an hour later

        Assert.Equal(Math.Exp(-1), model.Weights[RiseHistogram.BucketOf(3)], 9);
        Assert.Equal(1, model.Weights[0], 9);
    }

    [Fact]
    public void Histogram_quantiles_are_the_upper_edges_of_their_buckets()
    {
        var weights = new double[RiseHistogram.Buckets];
        weights[0] = 98;
        weights[RiseHistogram.BucketOf(1.5)] = 2;
        Assert.Equal(1, RiseHistogram.Quantile(weights, 0.98));
        var q99 = RiseHistogram.Quantile(weights, 0.99);
        Assert.InRange(q99, 1.5, 1.5 * 1.035);
        Assert.Equal(RiseHistogram.MaxRatio, RiseHistogram.UpperRatio(RiseHistogram.BucketOf(100)));
    }

    [Fact]
    public void Bad_settings_are_named_by_their_path()
    {
        var policy = Fixtures.Open(Fixtures.Utilization(SignalNames.QueuePerInstance, 16));
        policy.Headroom = new HeadroomOptions
        {
            Enabled = true, SaturationUtilization = 1.5, Quantile = 1, MemorySeconds = 60, MinSamples = 0, MinTarget = 0,
        };

        var errors = ScalingPolicyValidator.Validate(policy, "P");

        foreach (var setting in new[] { "UtilizationSignal ('gpu_utilization')", "SaturationUtilization", "Quantile", "MemorySeconds", "MinSamples", "MinTarget" })
        {
            Assert.Contains(errors, e => e.StartsWith($"P:Headroom:{setting}", StringComparison.Ordinal));
        }

        Assert.Empty(ScalingPolicyValidator.Validate(ScalingPolicy.CreateDefault(), "P"));
    }
}
