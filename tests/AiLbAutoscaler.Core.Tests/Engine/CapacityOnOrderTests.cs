using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Tests.Support;

namespace AiLbAutoscaler.Core.Tests.Engine;

/// <summary>A mean taken before capacity already ordered was serving may not ask for more.</summary>
[Trait("Area", "Engine")]
public sealed class CapacityOnOrderTests
{
    /// <summary>20 instances; a queue mean of 200 per instance (target 32) taken over <paramref name="seen"/> of them; 190 req/s at 10 per instance.</summary>
    private static ScalingDecision Backlog(int seen)
    {
        var policy = Fixtures.Open(
            Fixtures.Utilization(SignalNames.QueuePerInstance, 32),
            Fixtures.PerInstance(SignalNames.RequestRate, 10));
        var loop = new EngineLoop(policy, 20);
        return loop.TickWith([
            SignalReading.MeanOf(SignalNames.QueuePerInstance, 200, loop.Now, instances: seen),
            SignalReading.Of(SignalNames.RequestRate, 190, loop.Now),
        ]);
    }

    [Fact]
    public void A_backlog_seen_over_fewer_instances_than_the_group_holds_does_not_scale_up_again()
    {
        // The group was grown to 20 after a flash crowd; the newest queue mean (200 per instance) was still taken over
        // the 5 instances serving then: 5 × 200 / 32 = 31.25 would ask for 32, but 15 instances are on order to take it.
        var decision = Backlog(seen: 5);

        var queue = Assert.Single(decision.Recommendations, r => r.Signal == SignalNames.QueuePerInstance);
        Assert.Equal(SignalStatus.Ignored, queue.Status);
        Assert.Contains("15 more already on order", queue.Note);
        // The request rate still votes: 190 / 10 = 19, within the 0.1 tolerance of 20.
        Assert.Equal(20, decision.DesiredSize);
        Assert.DoesNotContain(decision.Recommendations, r => r.Status == SignalStatus.Used && r.RecommendedSize > 20);
    }

    [Fact]
    public void The_same_backlog_over_the_whole_group_scales_up()
    {
        // Taken over all 20 instances, the same mean is unanswered demand: 20 × 200 / 32 = 125 (6.25×: panic, no rate limit).
        var decision = Backlog(seen: 20);

        Assert.Equal(SignalNames.QueuePerInstance, decision.WinningSignal);
        Assert.Equal(125, decision.DesiredSize);
        Assert.Equal(ScalingAction.ScaleUp, decision.Action);
    }

    [Fact]
    public void A_mean_over_fewer_instances_may_still_vote_for_the_current_size_or_less()
    {
        // 5 of 20 serving at a queue of 32: 5 × 32 / 32 = 5, a vote below the group (no capacity-on-order note).
        var policy = Fixtures.Open(Fixtures.Utilization(SignalNames.QueuePerInstance, 32));
        var loop = new EngineLoop(policy, 20);

        var decision = loop.TickWith([SignalReading.MeanOf(SignalNames.QueuePerInstance, 32, loop.Now, instances: 5)]);

        var queue = Assert.Single(decision.Recommendations, r => r.Signal == SignalNames.QueuePerInstance);
        Assert.Equal(SignalStatus.Used, queue.Status);
        Assert.Equal(5, queue.RecommendedSize);
    }
}
