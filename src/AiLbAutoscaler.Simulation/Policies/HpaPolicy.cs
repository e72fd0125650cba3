namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>The Kubernetes HPA (autoscaling/v2) defaults, from the HPA documentation.</summary>
public sealed class HpaOptions : IPolicyOptions
{
    /// <summary>The resource utilization target (averageUtilization); 0.6 as the GCE default, since the HPA has none.</summary>
    public double UtilizationTarget { get; set; } = 0.6;

    /// <summary>No change while |observed / target − 1| ≤ tolerance.</summary>
    public double Tolerance { get; set; } = 0.1;

    /// <summary>Downscale stabilization: the highest recommendation of this window.</summary>
    public double DownscaleStabilizationSeconds { get; set; } = 300;

    /// <summary>Scale-up policies: +Percent % and +Pods per period, the larger wins (selectPolicy Max).</summary>
    public double ScaleUpPercent { get; set; } = 100;

    public int ScaleUpPods { get; set; } = 4;

    public double ScaleUpPeriodSeconds { get; set; } = 15;

    /// <summary>The sync period.</summary>
    public double TickSeconds { get; set; } = 15;

    public IEnumerable<string> Validate()
    {
        if (UtilizationTarget is <= 0 or > 1 || Tolerance is < 0 or >= 1 || !(DownscaleStabilizationSeconds >= 0) ||
            !(ScaleUpPercent >= 0) || ScaleUpPods < 0 || !(ScaleUpPeriodSeconds > 0) || !(TickSeconds >= 1))
        {
            yield return "Hpa: UtilizationTarget must be in (0, 1], Tolerance in [0, 1), stabilization ≥ 0, scale-up limits ≥ 0 with a period > 0, TickSeconds ≥ 1.";
        }
    }
}

/// <summary>
/// The HPA replica calculation on a per-pod mean (<see cref="HpaAlgorithm"/>) fed with the batch occupancy (busy batch
/// slots) against <see cref="HpaOptions.UtilizationTarget"/>: the servers' scraped gauge through the Prometheus adapter
/// where the servers' metrics are on, else the delayed per-minute instance metric.
/// </summary>
public sealed class HpaPolicy(HpaOptions options, int initialSize, int maxSize) : ISimPolicy
{
    public const string PolicyName = "hpa";

    private readonly HpaAlgorithm _hpa = new(options, maxSize);

    public string Name => PolicyName;

    public double TickSeconds => options.TickSeconds;

    public int InitialSize { get; } = initialSize;

    public void Tick(ISimulatedGroup group)
    {
        if (group.Metrics.TryInstanceGauges(group.Now, out var gauges))
        {
            _hpa.Tick(group, gauges.Utilization, options.UtilizationTarget, gauges.Reporting);
        }
    }
}

/// <summary>
/// The HPA replica calculation (replica_calculator.go, horizontal.go) for one per-pod mean against its target, as an
/// AverageUtilization or AverageValue target alike: desired = ⌈reporting × observed / target⌉ over the pods the mean was
/// taken over, skipped within the tolerance; pods without a sample count at 0 on scale-up and at the target on scale-down,
/// not-ready (booting) pods at 0 on scale-up, and a recomputed ratio that falls back within tolerance or reverses means no
/// change; scale-down uses the highest recommendation of the stabilization window;
/// scale-up is limited to the larger of +Percent % and +Pods per period. Resizes the group directly.
/// </summary>
internal sealed class HpaAlgorithm(HpaOptions options, int maxSize)
{
    private readonly Queue<(double At, int Size)> _recommendations = new();
    private readonly Queue<(double At, int Added)> _scaleUps = new();

    /// <param name="reporting">Instances the observed mean was taken over (those serving in the visible minute).</param>
    public void Tick(ISimulatedGroup group, double observed, double target, int reporting)
    {
        var now = group.Now;
        var current = group.TargetSize;
        reporting = Math.Min(reporting, group.Serving);
        if (double.IsNaN(observed) || reporting <= 0)
        {
            return; // no metrics: the HPA cannot compute a recommendation and leaves the size alone
        }

        var missing = group.Serving - reporting; // ready, but no sample in the visible minute yet
        var notReady = current - group.Serving;  // booting
        var ratio = observed / target;
        int recommendation;
        if (Math.Abs(ratio - 1) <= options.Tolerance)
        {
            recommendation = current;
        }
        else if (ratio > 1 && missing + notReady > 0)
        {
            // Scale-up: pods without a sample and pods not ready count at 0.
            var all = reporting + missing + notReady;
            var recomputed = observed * reporting / (target * all);
            recommendation = recomputed <= 1 || Math.Abs(recomputed - 1) <= options.Tolerance ? current : Ceil(recomputed * all);
        }
        else if (ratio < 1 && missing > 0)
        {
            // Scale-down: pods without a sample count at the target.
            var all = reporting + missing;
            var recomputed = (observed * reporting + target * missing) / (target * all);
            recommendation = recomputed >= 1 || Math.Abs(recomputed - 1) <= options.Tolerance ? current : Ceil(recomputed * all);
        }
        else
        {
            recommendation = Ceil(ratio * reporting);
        }

        recommendation = Math.Clamp(recommendation, 1, maxSize);

        // Stabilization: scale-up window 0 s, scale-down window 300 s (rolling maximum).
        while (_recommendations.Count > 0 && _recommendations.Peek().At <= now - options.DownscaleStabilizationSeconds)
        {
            _recommendations.Dequeue();
        }

        var downRecommendation = recommendation;
        foreach (var r in _recommendations)
        {
            downRecommendation = Math.Max(downRecommendation, r.Size);
        }

        _recommendations.Enqueue((now, recommendation));
        var desired = current;
        if (desired < recommendation)
        {
            desired = recommendation;
        }

        if (desired > downRecommendation)
        {
            desired = downRecommendation;
        }

        // Scale-up rate limit, measured from the size at the start of the period.
        while (_scaleUps.Count > 0 && _scaleUps.Peek().At <= now - options.ScaleUpPeriodSeconds)
        {
            _scaleUps.Dequeue();
        }

        var added = 0;
        foreach (var s in _scaleUps)
        {
            added += s.Added;
        }

        var periodStart = current - added;
        var limit = Math.Max(Ceil(periodStart * (1 + options.ScaleUpPercent / 100)), periodStart + options.ScaleUpPods);
        desired = Math.Clamp(Math.Min(desired, limit), 1, maxSize);
        if (desired != current)
        {
            if (desired > current)
            {
                _scaleUps.Enqueue((now, desired - current));
            }

            group.Resize(desired);
        }
    }

    private static int Ceil(double x) => (int)Math.Ceiling(x - 1e-9);
}
