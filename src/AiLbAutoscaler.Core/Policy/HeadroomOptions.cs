namespace AiLbAutoscaler.Core.Policy;

/// <summary>
/// Headroom learned from history instead of a fixed utilization target: the engine learns, per stack, how much the request
/// rate rises within one reaction time (the reading's age, plus <see cref="ScalingPolicy.ActuationSeconds"/>, plus the initialization
/// period), and sets the target of <see cref="UtilizationSignal"/> to <c>SaturationUtilization / (1 + rise)</c> at the
/// <see cref="Quantile"/> of those rises: little headroom when traffic is calm, more when it is bursty. Until
/// <see cref="MinSamples"/> rises are known the signal's configured target applies.
/// </summary>
public sealed class HeadroomOptions
{
    public bool Enabled { get; set; }

    /// <summary>The group's total request rate, whose rises are learned.</summary>
    public string RateSignal { get; set; } = AiLbAutoscaler.Core.Signals.SignalNames.RequestRate;

    /// <summary>A signal of the policy with a Utilization target: the target that is learned (Demand and the forecast follow it).</summary>
    public string UtilizationSignal { get; set; } = AiLbAutoscaler.Core.Signals.SignalNames.GpuUtilization;

    /// <summary>
    /// The utilization at which an instance is as full as the SLO allows: the learned target leaves room above it for the
    /// rise. Default 0.7: the simulator's default instance (a 7–8 B model, batch 32, serialized prefill) meets a 2 s TTFT
    /// up to about 5.7 req/s on a large warm fleet, about 0.75 of its batch slots busy; small fleets multiplex less, hence
    /// the margin. An assumption about the model and GPU: set it for another (or let <c>ailb tune</c> find it).
    /// </summary>
    public double SaturationUtilization { get; set; } = 0.7;

    /// <summary>
    /// The lowest target the learned headroom may set; null (the default) is the signal's configured target, so that
    /// history only ever removes headroom the configured target holds. Lower it to let bursty traffic buy more.
    /// </summary>
    public double? MinTarget { get; set; }

    /// <summary>The share of reaction windows whose rise the headroom covers: the SLO's attainment target (0.99).</summary>
    public double Quantile { get; set; } = 0.99;

    /// <summary>The time constant over which old rises fade: a week, so that the recent days count.</summary>
    public double MemorySeconds { get; set; } = 7 * 86_400;

    /// <summary>Rises needed before the learned target replaces the configured one (60: an hour of minutes).</summary>
    public int MinSamples { get; set; } = 60;
}
