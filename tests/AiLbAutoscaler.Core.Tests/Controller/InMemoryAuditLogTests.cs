using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Tests.Support;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Core.Tests.Controller;

[Trait("Area", "Controller")]
public sealed class InMemoryAuditLogTests
{
    [Fact]
    public async Task A_bounded_log_keeps_the_newest_records_and_an_unbounded_one_keeps_all()
    {
        var bounded = new InMemoryAuditLog(keep: 3);
        var unbounded = new InMemoryAuditLog();
        for (var i = 0; i < 5; i++)
        {
            var record = Record(Fixtures.T0.AddMinutes(i));
            await bounded.AppendAsync(record, CancellationToken.None);
            await unbounded.AppendAsync(record, CancellationToken.None);
        }

        Assert.Equal([2, 3, 4], bounded.Records.Select(r => (int)(r.At - Fixtures.T0).TotalMinutes));
        Assert.Equal(5, unbounded.Records.Count);
    }

    private static AuditRecord Record(DateTimeOffset at) => new(
        "svc", at, DecisionTrigger.Timer, [],
        new ScalingDecision("svc", at, 1, 1, ScalingAction.None, null, null, [], [], "no change at 1"),
        ActuationResult.Skipped("the decision keeps the current size"), DryRun: false);
}
