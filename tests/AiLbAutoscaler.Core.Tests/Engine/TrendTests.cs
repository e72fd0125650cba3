using AiLbAutoscaler.Core.Engine.Trend;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;
using AiLbAutoscaler.Core.Tests.Support;

namespace AiLbAutoscaler.Core.Tests.Engine;

/// <summary>The look-ahead over the reaction time (Policy:Trend).</summary>
[Trait("Area", "Engine")]
public sealed class TrendTests
{
    private static ScalingPolicy Policy()
    {
        // 10 req/s per instance, so the votes read as rates.
        var policy = Fixtures.Open(Fixtures.PerInstance(SignalNames.RequestRate, 10));
        policy.InitializationPeriodSeconds = 180;
        policy.ActuationSeconds = 120;
        policy.Trend = new TrendOptions { Enabled = true, Points = 4 };
        return policy;
    }

    /// <summary>One tick a minute on a rate reading that is a minute old.</summary>
    private static Core.Engine.ScalingDecision Feed(EngineLoop loop, params double[] rates)
    {
        Core.Engine.ScalingDecision? last = null;
        foreach (var rate in rates)
        {
            loop.AdvanceMinutes(1);
            last = loop.TickWith([SignalReading.Of(SignalNames.RequestRate, rate, loop.Now - Fixtures.Minute)]);
        }

        return last!;
    }

    [Fact]
    public void A_clear_rise_is_carried_over_the_reaction_time_and_votes_by_name()
    {
        var loop = new EngineLoop(Policy(), 10);
        var decision = Feed(loop, 100, 110, 120, 130.5);

        // Slope ≈ 10.15 req/s per minute; reaction time 60 + 120 + 180 = 360 s: the fit's 130.3 plus 6 minutes ≈ 191.
        var vote = Assert.Single(decision.Recommendations, r => r.Signal == "trend:request_rate");
        Assert.InRange(vote.Observed!.Value, 190, 192);
        Assert.Equal("trend:request_rate", decision.WinningSignal);
        Assert.Equal(20, decision.RawRecommendation);
    }

    [Fact]
    public void Noise_a_fall_or_too_few_readings_do_not_vote_and_a_rise_is_capped()
    {
        var options = new TrendOptions { Points = 4, MaxGrowth = 0.5 };
        RateSample At(int minute, double rate) => new(Fixtures.T0.AddMinutes(minute), rate, 0);

        Assert.Null(TrendVoter.Ahead([At(0, 100), At(1, 130), At(2, 95), At(3, 125)], options, 360)); // noise: slope not clear
        Assert.Null(TrendVoter.Ahead([At(0, 130), At(1, 120), At(2, 110), At(3, 100)], options, 360)); // falling
        Assert.Null(TrendVoter.Ahead([At(0, 100), At(1, 110), At(2, 120)], options, 360));             // three of four points

        var (capped, _) = TrendVoter.Ahead([At(0, 100), At(1, 150), At(2, 200), At(3, 250)], options, 3600)!.Value;
        Assert.Equal(375, capped, 9); // 250 × (1 + 0.5), not the line's 250 + 60 × 50
    }

    [Fact]
    public void The_trend_never_scales_in_and_keeps_only_its_points()
    {
        var loop = new EngineLoop(Policy(), 30);
        var decision = Feed(loop, 100, 110, 120, 130, 140, 150);
        Assert.Equal(4, loop.State.Trend!.Recent.Count);

        // Falling now: the trend abstains, and the rate's own vote (90 / 10 = 9) drives the scale-in.
        var falling = Feed(loop, 130, 110, 90);
        Assert.DoesNotContain(falling.Recommendations, r => r.Signal == "trend:request_rate");
        Assert.True(decision.RawRecommendation > 15);
    }

    [Fact]
    public void Bad_settings_are_named_by_their_path()
    {
        var policy = Fixtures.Open(Fixtures.Utilization(SignalNames.GpuUtilization, 0.5));
        policy.Trend = new TrendOptions { Enabled = true, Points = 2, MinSlopeT = -1, MaxGrowth = 0 };
        policy.ActuationSeconds = -5;

        var errors = ScalingPolicyValidator.Validate(policy, "P");

        foreach (var setting in new[] { "Trend:RateSignal ('request_rate')", "Trend:Points", "Trend:MinSlopeT", "Trend:MaxGrowth", "ActuationSeconds" })
        {
            Assert.Contains(errors, e => e.StartsWith($"P:{setting}", StringComparison.Ordinal));
        }
    }
}
