namespace AiLbAutoscaler.Core.Policy;

/// <summary>
/// Capacity that has just arrived is still absorbing the backlog that built up before it: while the newest serving
/// instance has served less than <see cref="Seconds"/>, a scale-up asked for by a per-instance mean (utilization, queue,
/// latency: all inflated by that backlog) is capped at what the request-rate votes (demand, a PerInstance target, the
/// trend) ask for, or at the current size. The same reasoning as capacity on order, one step later: the backlog drains
/// in seconds, new instances take a boot time, so ordering more for it only overshoots.
/// </summary>
public sealed class SettlingOptions
{
    public bool Enabled { get; set; }

    /// <summary>
    /// How long new capacity may settle: 120 s, two windows of a per-minute request rate, one for the backlog to drain
    /// and one for the readings to show it drained (60 s and 180 s were measured too: docs/simulation.md).
    /// </summary>
    public double Seconds { get; set; } = 120;
}
