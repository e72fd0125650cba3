namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>The MIG autoscaler's load-balancing serving-capacity signal.</summary>
public sealed class GceLbOptions : IPolicyOptions
{
    /// <summary>loadBalancingUtilization.utilizationTarget: the fraction of the backend's capacity to keep (GCE default 0.8).</summary>
    public double UtilizationTarget { get; set; } = 0.8;

    /// <summary>
    /// The backend service's <c>maxRatePerInstance</c> (RATE balancing mode), in requests per second. Null takes it from
    /// the calibration: the busiest minute's rate over the smallest static fleet that serves it, i.e. what a load test
    /// of the fleet would give.
    /// </summary>
    public double? MaxRatePerInstance { get; set; }

    /// <summary>stabilizationPeriodSec (GCE default 600 s).</summary>
    public double StabilizationSeconds { get; set; } = 600;

    public double TickSeconds { get; set; } = 60;

    public IEnumerable<string> Validate()
    {
        if (!(UtilizationTarget > 0) || UtilizationTarget > 1 || MaxRatePerInstance is <= 0 || MaxRatePerInstance is double r && !double.IsFinite(r) ||
            !(StabilizationSeconds >= 0) || !(TickSeconds >= 1))
        {
            yield return "GceLb: UtilizationTarget must be in (0, 1], MaxRatePerInstance more than 0, StabilizationSeconds ≥ 0 and TickSeconds ≥ 1.";
        }
    }
}

/// <summary>
/// The MIG autoscaler in LB serving-capacity mode (docs: compute/docs/autoscaler/scaling-load-balancing): the group's
/// capacity is instances × maxRatePerInstance, and the autoscaler keeps the load balancer's rate at utilizationTarget of
/// it, so recommended = ⌈rate / (maxRatePerInstance × target)⌉ from the latest visible load-balancer minute; scale-out at
/// once, scale-in only to the peak recommendation of the stabilization period (<see cref="MigStabilizer"/>).
/// </summary>
public sealed class GceLbPolicy(GceLbOptions options, double maxRatePerInstance, int initialSize, int maxSize) : ISimPolicy
{
    public const string PolicyName = "gce-lb";

    private readonly MigStabilizer _stabilizer = new(options.StabilizationSeconds);

    public string Name => PolicyName;

    public double TickSeconds => options.TickSeconds;

    public int InitialSize { get; } = initialSize;

    /// <summary>The per-instance rate in use (the option, or the calibration's).</summary>
    public double MaxRatePerInstance { get; } = maxRatePerInstance;

    public int? LastRecommendation { get; private set; }

    public void Tick(ISimulatedGroup group)
    {
        if (!group.Metrics.TryLatestLoadBalancer(group.Now, out var minute))
        {
            return; // no data yet: keep the size
        }

        var recommended = (int)Math.Ceiling(minute.RequestRate / (MaxRatePerInstance * options.UtilizationTarget) - 1e-9);
        recommended = Math.Clamp(recommended, 1, maxSize);
        LastRecommendation = recommended;
        _stabilizer.Apply(group, recommended);
    }
}
