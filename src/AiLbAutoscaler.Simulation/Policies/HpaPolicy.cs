namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>The Kubernetes HPA (autoscaling/v2) defaults, from the HPA documentation.</summary>
public sealed class HpaOptions
{
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
/// The HPA replica calculation: desired = ⌈ready × utilization / target⌉, skipped within the tolerance; on scale-up,
/// not-ready (booting) instances count at 0 % and a recomputed ratio that falls back within tolerance or reverses means no
/// change; scale-down uses the highest recommendation of the stabilization window; scale-up is limited to the larger of
/// +100 % and +4 per 15 s. Reads the same delayed per-minute utilization as every policy; resizes the group directly.
/// </summary>
public sealed class HpaPolicy(HpaOptions options, int initialSize, int maxSize) : ISimPolicy
{
    public const string PolicyName = "hpa";

    private readonly Queue<(double At, int Size)> _recommendations = new();
    private readonly Queue<(double At, int Added)> _scaleUps = new();

    public string Name => PolicyName;

    public double TickSeconds => options.TickSeconds;

    public int InitialSize { get; } = initialSize;

    public void Tick(ISimulatedGroup group)
    {
        var now = group.Now;
        var current = group.TargetSize;
        if (!group.Metrics.TryLatestInstance(now, out var minute) || double.IsNaN(minute.Utilization) || group.Serving == 0)
        {
            return; // no metrics: the HPA cannot compute a recommendation and leaves the size alone
        }

        var ready = group.Serving;
        var notReady = current - ready;
        var ratio = minute.Utilization / options.UtilizationTarget;
        int recommendation;
        if (Math.Abs(ratio - 1) <= options.Tolerance)
        {
            recommendation = current;
        }
        else if (ratio > 1 && notReady > 0)
        {
            var recomputed = minute.Utilization * ready / (options.UtilizationTarget * (ready + notReady));
            recommendation = recomputed <= 1 || Math.Abs(recomputed - 1) <= options.Tolerance
                ? current
                : Ceil(recomputed * (ready + notReady));
        }
        else
        {
            recommendation = Ceil(ratio * ready);
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
