using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Core.Audit;

public enum DecisionTrigger
{
    Timer,
    Http,
    Cli,
    Simulation,

    /// <summary>A tick found the fleet at a size other than the last recorded one and recorded the change it missed.</summary>
    Reconcile,
}

/// <summary>One decision as the audit trail keeps it. Holds no secrets: signals, sizes and reasons only.</summary>
public sealed record AuditRecord(
    string Stack,
    DateTimeOffset At,
    DecisionTrigger Trigger,
    IReadOnlyList<SignalReading> Inputs,
    ScalingDecision Decision,
    ActuationResult Actuation,
    bool DryRun);
