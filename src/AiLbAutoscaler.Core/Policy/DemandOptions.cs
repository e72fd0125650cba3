namespace AiLbAutoscaler.Core.Policy;

/// <summary>
/// Demand learned from the request rate: the engine learns what one request per second costs in busy capacity (the
/// utilization sum over the request rate, in minutes when the group was not saturated) and votes
/// <c>rate × cost / utilization target</c>. Unlike utilization, this keeps rising when the group saturates, because the
/// load balancer still counts every request that arrives; and unlike a fixed per-instance rate it needs no calibration.
/// </summary>
public sealed class DemandOptions
{
    public bool Enabled { get; set; }

    /// <summary>The group's total request rate.</summary>
    public string RateSignal { get; set; } = AiLbAutoscaler.Core.Signals.SignalNames.RequestRate;

    /// <summary>
    /// A burst-height rate voted beside <see cref="RateSignal"/>, the larger winning (the cost is still learned from
    /// <see cref="RateSignal"/>), so a fleet sized by a minute's mean is not caught by the bursts inside it. Missing or
    /// stale, the vote uses <see cref="RateSignal"/> alone; a stack whose source has no such signal is unaffected. Null or
    /// empty: off.
    /// </summary>
    public string? PeakRateSignal { get; set; }

    /// <summary>A per-instance utilization signal of the policy, with a Utilization target: its target is the demand's target.</summary>
    public string UtilizationSignal { get; set; } = AiLbAutoscaler.Core.Signals.SignalNames.GpuUtilization;

    /// <summary>Only minutes whose mean utilization is below this teach the cost (a saturated minute hides it).</summary>
    public double LearnBelowUtilization { get; set; } = 0.85;

    /// <summary>
    /// Weight of the newest learned sample in the cost's moving average: one sample per new reading of the rate, so a
    /// minute on Cloud Monitoring and a tick (15 s) on PromQL. Slower or per-minute rates were measured and left out
    /// (docs/simulation.md, "what bounds the aims").
    /// </summary>
    public double LearningRate { get; set; } = 0.2;
}
