using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Tests.Support;

namespace AiLbAutoscaler.Core.Tests.Engine;

/// <summary>Means over the instances they were taken over, and demand learned from the request rate.</summary>
[Trait("Area", "Engine")]
public sealed class DemandTests
{
    private static ScalingPolicy Policy(bool demand = true)
    {
        var policy = Fixtures.Open(Fixtures.Utilization(SignalNames.GpuUtilization, 0.4));
        policy.Demand = new DemandOptions { Enabled = demand, LearningRate = 1 };
        return policy;
    }

    [Fact]
    public void A_mean_is_multiplied_by_the_instances_it_was_taken_over_not_by_todays()
    {
        // Six instances now, but the newest minute's mean of 0.8 was taken over the two serving then.
        var loop = new EngineLoop(Policy(demand: false), 6);
        var withCount = loop.TickWith([SignalReading.MeanOf(SignalNames.GpuUtilization, 0.8, loop.Now, instances: 2)]);

        // 2 × 0.8 / 0.4 = 4 (busy capacity of four instances at the target), not 6 × 0.8 / 0.4 = 12.
        Assert.Equal(4, withCount.RawRecommendation);

        var without = new EngineLoop(Policy(demand: false), 6).Tick((SignalNames.GpuUtilization, 0.8));
        Assert.Equal(12, without.RawRecommendation);
    }

    [Fact]
    public void The_cost_of_a_request_is_learned_from_a_minute_that_was_not_saturated_and_then_votes()
    {
        var loop = new EngineLoop(Policy(), 4);
        var minute = loop.Now - TimeSpan.FromMinutes(3);

        // Instance metrics arrive first; the rate of the same minute a tick later.
        loop.TickWith([SignalReading.MeanOf(SignalNames.GpuUtilization, 0.5, minute, instances: 4)]);
        Assert.Null(loop.State.Demand!.CostPerRequest);
        loop.AdvanceMinutes(1);
        var first = loop.TickWith([
            SignalReading.MeanOf(SignalNames.GpuUtilization, 0.5, minute + TimeSpan.FromMinutes(1), instances: 4),
            SignalReading.Of(SignalNames.RequestRate, 100, minute),
        ]);

        // Learned: utilization sum 0.5 × 4 = 2.0 over 100 req/s = 0.02 per req/s (it votes from the next tick).
        Assert.Equal(0.02, loop.State.Demand!.CostPerRequest!.Value, 9);
        Assert.DoesNotContain(first.Recommendations, r => r.Signal == "demand:request_rate");

        // Saturated now: utilization pinned at 1.0 over 4 instances says 10; the load balancer still counts 400 req/s,
        // which the learned cost turns into 400 × 0.02 / 0.4 = 20.
        loop.AdvanceMinutes(1);
        var saturated = loop.TickWith([
            SignalReading.MeanOf(SignalNames.GpuUtilization, 1.0, loop.Now, instances: 4),
            SignalReading.Of(SignalNames.RequestRate, 400, loop.Now),
        ]);

        Assert.Equal("demand:request_rate", saturated.WinningSignal);
        Assert.Equal(20, saturated.RawRecommendation);
        Assert.Equal(0.02, loop.State.Demand!.CostPerRequest!.Value, 9); // a saturated minute teaches nothing
    }

    /// <summary>A loop whose demand has learned 0.02 per req/s from the mean rate alone, two minutes in.</summary>
    private static EngineLoop Learned(ScalingPolicy policy)
    {
        var loop = new EngineLoop(policy, 4);
        var minute = loop.Now - TimeSpan.FromMinutes(3);
        loop.TickWith([SignalReading.MeanOf(SignalNames.GpuUtilization, 0.5, minute, instances: 4)]);
        loop.AdvanceMinutes(1);
        loop.TickWith([
            SignalReading.MeanOf(SignalNames.GpuUtilization, 0.5, minute + TimeSpan.FromMinutes(1), instances: 4),
            SignalReading.Of(SignalNames.RequestRate, 100, minute),
        ]);
        loop.AdvanceMinutes(1);
        return loop;
    }

    [Fact]
    public void A_peak_rate_votes_its_height_above_the_mean_rate_and_never_lowers_the_demand_vote()
    {
        var policy = Policy();
        policy.Demand.PeakRateSignal = SignalNames.RequestRatePeak;

        // 100 req/s on the mean, but a burst of 300 req/s inside it: 300 × 0.02 / 0.4 = 15, and the audit names the peak.
        var loop = Learned(policy);
        Assert.Equal(0.02, loop.State.Demand!.CostPerRequest!.Value, 9);
        var burst = loop.TickWith([
            SignalReading.MeanOf(SignalNames.GpuUtilization, 0.1, loop.Now, instances: 4),
            SignalReading.Of(SignalNames.RequestRate, 100, loop.Now),
            SignalReading.Of(SignalNames.RequestRatePeak, 300, loop.Now),
        ]);
        Assert.Equal("demand:request_rate_peak", burst.WinningSignal);
        Assert.Equal(15, burst.RawRecommendation);

        // A peak under the mean (counting noise taken off) or a missing one leaves the mean's vote: 100 × 0.02 / 0.4 = 5.
        foreach (var peak in new[] { SignalReading.Of(SignalNames.RequestRatePeak, 60, loop.Now), SignalReading.Missing(SignalNames.RequestRatePeak, "no series") })
        {
            var calm = Learned(policy);
            var d = calm.TickWith([
                SignalReading.MeanOf(SignalNames.GpuUtilization, 0.1, calm.Now, instances: 4),
                SignalReading.Of(SignalNames.RequestRate, 100, calm.Now),
                peak, // every Learned loop runs on the same fixed clock
            ]);
            Assert.Equal("demand:request_rate", d.WinningSignal);
            Assert.Equal(5, d.RawRecommendation);
            Assert.DoesNotContain(d.Recommendations, r => r.Signal == "demand:request_rate_peak");
        }

        // Off (the default), the same burst votes the mean.
        var off = Learned(Policy());
        var ignored = off.TickWith([
            SignalReading.MeanOf(SignalNames.GpuUtilization, 0.1, off.Now, instances: 4),
            SignalReading.Of(SignalNames.RequestRate, 100, off.Now),
            SignalReading.Of(SignalNames.RequestRatePeak, 300, off.Now),
        ]);
        Assert.Equal(5, ignored.RawRecommendation);
        Assert.Null(ScalingPolicy.CreateDefault().Demand.PeakRateSignal);
    }

    [Fact]
    public void The_peak_rate_signal_must_differ_from_the_rate_the_cost_is_learned_from()
    {
        var policy = ScalingPolicy.CreateDefault();
        policy.Demand.PeakRateSignal = SignalNames.RequestRate;
        var error = Assert.Single(ScalingPolicyValidator.Validate(policy, "P"));
        Assert.StartsWith("P:Demand:PeakRateSignal ('request_rate') must differ from RateSignal", error);

        policy.Demand.PeakRateSignal = "";
        Assert.Empty(ScalingPolicyValidator.Validate(policy, "P"));
    }

    [Fact]
    public void Demand_and_the_forecast_need_a_utilization_signal_and_the_rate_signal_respectively()
    {
        var policy = Fixtures.Open(Fixtures.Utilization(SignalNames.QueuePerInstance, 16));
        policy.Demand = new DemandOptions { Enabled = true, UtilizationSignal = SignalNames.GpuUtilization };
        policy.Forecast = new ForecastOptions { Enabled = true, Signal = SignalNames.CpuUtilization };

        var errors = ScalingPolicyValidator.Validate(policy, "P");

        Assert.Contains(errors, e => e.StartsWith("P:Demand:UtilizationSignal ('gpu_utilization') must name a signal of the policy with a Utilization target", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("P:Forecast:Signal ('cpu_utilization')", StringComparison.Ordinal));
        Assert.Empty(ScalingPolicyValidator.Validate(ScalingPolicy.CreateDefault(), "P"));
    }
}
