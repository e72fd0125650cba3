using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Engine.Forecasting;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;
using AiLbAutoscaler.Core.Tests.Support;

namespace AiLbAutoscaler.Core.Tests.Engine;

[Trait("Area", "Engine")]
public sealed class ForecastTests
{
    private static readonly ForecastOptions Daily = new() { Enabled = true, Signal = SignalNames.RequestRate, BucketSeconds = 600, LeadSeconds = 600 };

    [Fact]
    public void A_bucket_is_a_plain_mean_until_it_has_one_over_smoothing_samples_and_each_reading_counts_once()
    {
        var t = Fixtures.T0;
        var p = SeasonalForecaster.Learn(null, Daily, 10, t);
        p = SeasonalForecaster.Learn(p, Daily, 20, t + TimeSpan.FromMinutes(1));
        p = SeasonalForecaster.Learn(p, Daily, 999, t + TimeSpan.FromMinutes(1)); // the same reading again: ignored
        p = SeasonalForecaster.Learn(p, Daily, 30, t + TimeSpan.FromMinutes(2));

        var bucket = (int)(t.ToUnixTimeSeconds() % 86_400 / 600);
        Assert.Equal(144, p.Means.Count);
        Assert.Equal(3, p.Samples[bucket]);
        Assert.Equal(20, p.Means[bucket], 9); // (10 + 20 + 30) / 3
    }

    [Fact]
    public void A_recurring_rise_is_provisioned_before_it_arrives()
    {
        // 100 req/s, rising to 300 req/s from 18:00 to 20:00 every day; 10 req/s per instance.
        static double Rate(DateTimeOffset at) => at.Hour is >= 18 and < 20 ? 300 : 100;
        var policy = Fixtures.Open(Fixtures.PerInstance(SignalNames.RequestRate, 10));
        policy.Forecast = Daily;
        var loop = new EngineLoop(policy, 10);

        // Day one: learn. T0 is 12:00; run to 17:50 on the next day.
        var until = Fixtures.T0.Date.AddDays(1).AddHours(17).AddMinutes(50);
        while (loop.Now < until)
        {
            loop.Tick((SignalNames.RequestRate, Rate(loop.Now)));
            loop.AdvanceMinutes(1);
        }

        Assert.Equal(10, loop.Size);
        var decision = loop.Tick((SignalNames.RequestRate, 100));

        // At 17:50 the 18:00 bucket lies within the 600 s lead: 100 + (300 − 100) = 300 expected → 30 instances.
        Assert.Equal(ForecastVoter.SignalName(Daily), decision.WinningSignal);
        Assert.Equal(30, decision.DesiredSize);
        Assert.Equal(ScalingAction.ScaleUp, decision.Action);
    }

    [Fact]
    public void A_forecast_of_a_fall_never_scales_in()
    {
        var policy = Fixtures.Open(Fixtures.PerInstance(SignalNames.RequestRate, 10), Fixtures.Utilization(SignalNames.GpuUtilization, 0.5));
        policy.Forecast = Daily;

        // The profile says the next bucket is 200 req/s lower than now.
        var now = Fixtures.T0;
        var profile = SeasonalForecaster.Learn(null, Daily, 300, now - TimeSpan.FromDays(1));
        profile = SeasonalForecaster.Learn(profile, Daily, 100, now - TimeSpan.FromDays(1) + TimeSpan.FromMinutes(10));
        var state = StackState.Empty with { Forecast = profile };

        var decision = OneShot.Decide(policy, new Core.Fleet.FleetState(30), state,
            (SignalNames.RequestRate, 300), (SignalNames.GpuUtilization, 0.5));

        // 300 + (100 − 300) = 100 req/s expected → 10 instances: a vote below the current size that loses to the
        // signals' 30 (300 / 10 and 30 × 0.5 / 0.5).
        var forecast = Assert.Single(decision.Recommendations, r => r.Signal == ForecastVoter.SignalName(Daily));
        Assert.Equal(10, forecast.RecommendedSize);
        Assert.Contains("floor for scale-in only", forecast.Note);
        Assert.Equal(30, decision.DesiredSize);
        Assert.Equal(ScalingAction.None, decision.Action);
    }

    [Fact]
    public void A_forecast_below_the_current_size_is_a_floor_for_a_scale_in_the_signals_ask_for()
    {
        // 20 instances, utilization falls to 0.25 against 0.5 (→ 10), but the profile expects the rate to rise from
        // 100 to 160 req/s within the lead: 160 / 10 req/s per instance = 16 is the floor.
        var policy = Fixtures.Open(Fixtures.PerInstance(SignalNames.RequestRate, 10), Fixtures.Utilization(SignalNames.GpuUtilization, 0.5));
        policy.Forecast = new ForecastOptions { Enabled = true, Signal = SignalNames.RequestRate, BucketSeconds = 600, LeadSeconds = 600 };
        policy.ScaleDownStabilizationSeconds = 0;
        policy.ScaleDownLimit = new RateLimit { Percent = 100, Instances = 100, PeriodSeconds = 60 };

        var now = Fixtures.T0;
        var profile = SeasonalForecaster.Learn(null, policy.Forecast, 100, now - TimeSpan.FromDays(1));
        profile = SeasonalForecaster.Learn(profile, policy.Forecast, 160, now - TimeSpan.FromDays(1) + TimeSpan.FromMinutes(10));
        var state = StackState.Empty with { Forecast = profile };

        // The rate signal itself votes ceil(100 / 10) = 10 and utilization ceil(20 × 0.25 / 0.5) = 10.
        var decision = OneShot.Decide(policy, new Core.Fleet.FleetState(20), state,
            (SignalNames.RequestRate, 100), (SignalNames.GpuUtilization, 0.25));

        Assert.Equal(ForecastVoter.SignalName(policy.Forecast), decision.WinningSignal);
        Assert.Equal(16, decision.DesiredSize);
        Assert.Equal(ScalingAction.ScaleDown, decision.Action);
    }

    [Fact]
    public void Without_history_the_forecast_abstains_and_says_why()
    {
        var policy = Fixtures.Open(Fixtures.PerInstance(SignalNames.RequestRate, 10));
        policy.Forecast = Daily;

        var outcome = OneShot.DecideFull(policy, new Core.Fleet.FleetState(5), StackState.Empty, (SignalNames.RequestRate, 50));

        var forecast = Assert.Single(outcome.Decision.Recommendations, r => r.Signal == ForecastVoter.SignalName(Daily));
        Assert.Equal(SignalStatus.Ignored, forecast.Status);
        Assert.Contains("no seasonal history", forecast.Note);
        Assert.NotNull(outcome.NextState.Forecast); // and it starts learning
        Assert.Equal(1, outcome.NextState.Forecast!.Samples.Sum());
    }

    [Fact]
    public void The_forecast_signal_must_have_a_per_instance_target()
    {
        var policy = Fixtures.Open(Fixtures.Utilization(SignalNames.GpuUtilization, 0.6));
        policy.Forecast = new ForecastOptions { Enabled = true, Signal = SignalNames.GpuUtilization };

        var errors = ScalingPolicyValidator.Validate(policy, "Autoscaler:Stacks:svc:Policy");

        Assert.Contains(errors, e => e.StartsWith("Autoscaler:Stacks:svc:Policy:Forecast:Signal", StringComparison.Ordinal));
    }
}
