namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>The GCE managed-instance-group autoscaler on a utilization target.</summary>
public sealed class GceOptions : IPolicyOptions
{
    /// <summary>utilizationTarget (GCE default 0.6).</summary>
    public double UtilizationTarget { get; set; } = 0.6;

    /// <summary>stabilizationPeriodSec: scale-in uses the peak recommendation of this window (GCE default 600 s).</summary>
    public double StabilizationSeconds { get; set; } = 600;

    /// <summary>How often the autoscaler re-evaluates.</summary>
    public double TickSeconds { get; set; } = 60;

    public IEnumerable<string> Validate()
    {
        if (UtilizationTarget is <= 0 or > 1 || !(StabilizationSeconds >= 0) || !(TickSeconds >= 1))
        {
            yield return "Gce: UtilizationTarget must be in (0, 1], StabilizationSeconds ≥ 0 and TickSeconds ≥ 1.";
        }
    }
}

/// <summary>
/// The MIG autoscaler (docs: compute/docs/autoscaler): recommended size = ⌈mean utilization × instances reporting / target⌉
/// from the latest visible per-instance gauges — a Cloud Monitoring user-defined metric (the servers' Prometheus gauge,
/// readable within seconds) where the servers' metrics are on, else the per-minute instance metric (only serving instances report, and an instance serves after its ~180 s boot, so data
/// from instances in their initialization period is left out as GCE does); scale-out at once and unlimited; scale-in only
/// to the peak recommendation of the stabilization period. Resizes the group directly.
/// </summary>
public sealed class GcePolicy(GceOptions options, int initialSize, int maxSize) : ISimPolicy
{
    public const string PolicyName = "gce";

    private readonly MigStabilizer _stabilizer = new(options.StabilizationSeconds);

    public string Name => PolicyName;

    public double TickSeconds => options.TickSeconds;

    public int InitialSize { get; } = initialSize;

    /// <summary>The last recommendation before stabilization (for tests and the audit of a run).</summary>
    public int? LastRecommendation { get; private set; }

    public void Tick(ISimulatedGroup group)
    {
        if (!group.Metrics.TryInstanceGauges(group.Now, out var gauges) || double.IsNaN(gauges.Utilization))
        {
            return; // no data: GCE reports missing data points and keeps the size
        }

        var recommended = (int)Math.Ceiling(gauges.Utilization * gauges.Reporting / options.UtilizationTarget - 1e-9);
        recommended = Math.Clamp(recommended, 1, maxSize);
        LastRecommendation = recommended;

        _stabilizer.Apply(group, recommended);
    }
}
