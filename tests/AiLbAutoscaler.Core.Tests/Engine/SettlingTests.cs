using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Tests.Support;

namespace AiLbAutoscaler.Core.Tests.Engine;

/// <summary>While new capacity settles, the backlog it drains may not order more (Policy:Settling).</summary>
[Trait("Area", "Engine")]
public sealed class SettlingTests
{
    /// <summary>
    /// 40 instances: 5 old ones and 35 that passed their 180 s initialization <paramref name="servedSeconds"/> ago. A queue
    /// mean of 96 per instance (target 32) over all 40 asks for 120; the request rate (450 req/s at 10 per instance) for 45.
    /// </summary>
    private static ScalingDecision AfterCapacityArrived(double servedSeconds, bool enabled = true, double? rate = 450, bool ages = true)
    {
        var policy = Fixtures.Open(
            Fixtures.Utilization(SignalNames.QueuePerInstance, 32),
            Fixtures.PerInstance(SignalNames.RequestRate, 10));
        policy.InitializationPeriodSeconds = 180;
        policy.Settling = new SettlingOptions { Enabled = enabled, Seconds = 120 };
        var loop = new EngineLoop(policy, 40);
        if (ages)
        {
            loop.InstanceAges = [.. Enumerable.Repeat(TimeSpan.FromHours(1), 5), .. Enumerable.Repeat(TimeSpan.FromSeconds(180 + servedSeconds), 35)];
        }

        List<SignalReading> readings = [SignalReading.MeanOf(SignalNames.QueuePerInstance, 96, loop.Now, instances: 40)];
        if (rate is double r)
        {
            readings.Add(SignalReading.Of(SignalNames.RequestRate, r, loop.Now));
        }

        return loop.TickWith(readings);
    }

    [Fact]
    public void A_backlog_seen_while_new_capacity_settles_is_capped_at_the_request_rate_s_vote_and_says_so()
    {
        var decision = AfterCapacityArrived(servedSeconds: 30);

        Assert.Equal(120, decision.RawRecommendation); // 40 × 96 / 32
        Assert.Equal(45, decision.DesiredSize);        // 450 / 10
        var limit = Assert.Single(decision.Limits, l => l.Rule == DecisionRules.Settling);
        Assert.Contains("served 30 s of the 120 s", limit.Detail);
        Assert.Contains("request_rate asks for 45", limit.Detail);
    }

    [Fact]
    public void Once_settled_or_disabled_or_without_instance_ages_the_backlog_scales_up()
    {
        Assert.Equal(120, AfterCapacityArrived(servedSeconds: 150).DesiredSize);
        Assert.Equal(120, AfterCapacityArrived(servedSeconds: 30, enabled: false).DesiredSize);
        Assert.Equal(120, AfterCapacityArrived(servedSeconds: 30, ages: false).DesiredSize);
        Assert.DoesNotContain(AfterCapacityArrived(servedSeconds: 150).Limits, l => l.Rule == DecisionRules.Settling);
    }

    [Fact]
    public void Without_a_rate_vote_it_holds_the_current_size_and_it_never_lowers_a_size()
    {
        var held = AfterCapacityArrived(servedSeconds: 30, rate: null);
        Assert.Equal(40, held.DesiredSize);
        Assert.Contains("no request-rate vote", Assert.Single(held.Limits, l => l.Rule == DecisionRules.Settling).Detail);

        // A rate asking for less than the group holds: the group stays at 40, the rule does not scale in.
        Assert.Equal(40, AfterCapacityArrived(servedSeconds: 30, rate: 100).DesiredSize);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(4000)]
    public void A_settling_time_out_of_range_fails_validation_naming_the_setting(double seconds)
    {
        var policy = ScalingPolicy.CreateDefault();
        policy.Settling.Seconds = seconds;
        var errors = ScalingPolicyValidator.Validate(policy, "Autoscaler:Stacks:inference:Policy");
        Assert.Contains(errors, e => e.StartsWith("Autoscaler:Stacks:inference:Policy:Settling:Seconds must be in (0, 3600]", StringComparison.Ordinal));
    }
}
