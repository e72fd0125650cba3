using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Tests.Support;
using static AiLbAutoscaler.Core.Tests.Support.Fixtures;

namespace AiLbAutoscaler.Core.Tests.Controller;

/// <summary>Queued ticks carry an id: a second delivery of the same tick (a retry, a late timer) applies nothing.</summary>
[Trait("Area", "Controller")]
public sealed class QueuedTickTests
{
    private const string Stack = "svc";

    private static ControllerHarness Hot()
    {
        var policy = Defaults(Utilization(SignalNames.GpuUtilization, 0.6));
        policy.MinSize = 1;
        policy.MaxSize = 10;
        var h = new ControllerHarness(policy);
        h.Actuator.SetSize(Stack, 4);
        h.Observe(Stack, (SignalNames.GpuUtilization, 0.9));
        return h;
    }

    [Fact]
    public async Task The_same_tick_id_twice_applies_and_audits_once()
    {
        var h = Hot();

        var first = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, "20261126T120000Z", CancellationToken.None);
        h.Actuator.SetSize(Stack, 4); // were it decided again, it would apply again
        var second = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, "20261126T120000Z", CancellationToken.None);

        Assert.Equal(TickOutcome.Completed, first.Outcome);
        Assert.Equal(TickOutcome.AlreadyDone, second.Outcome);
        Assert.Contains("20261126T120000Z", second.Error);
        Assert.Single(h.Actuator.Applied);
        Assert.Single(await h.AuditTrailAsync());
        Assert.Equal("20261126T120000Z", (await h.StateAsync()).LastTickId);
    }

    [Fact]
    public async Task A_new_tick_id_runs_and_an_unqueued_tick_keeps_the_last_id()
    {
        var h = Hot();
        await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, "20261126T120000Z", CancellationToken.None);

        var next = await h.Controller.TickAsync(Stack, DecisionTrigger.Timer, "20261126T120100Z", CancellationToken.None);
        var byHand = await h.Controller.TickAsync(Stack, DecisionTrigger.Http, CancellationToken.None);

        Assert.Equal((TickOutcome.Completed, TickOutcome.Completed), (next.Outcome, byHand.Outcome));
        Assert.Equal(3, (await h.AuditTrailAsync()).Count);
        Assert.Equal("20261126T120100Z", (await h.StateAsync()).LastTickId);
    }
}
