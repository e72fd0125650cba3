namespace AiLbAutoscaler.Simulation.Scoring;

/// <summary>One policy's scores on one trace and seed. Latencies in ms; NaN where no request finished.</summary>
public sealed record Scorecard(
    string Policy,
    long Requests,
    long Served,
    long Dropped,
    double SloAttainment,
    int ViolationMinutes,
    double InstanceHours,
    int Resizes,
    int DirectionChanges,
    double TtftP50Ms,
    double TtftP95Ms,
    double TtftP99Ms,
    double E2eP50Ms,
    double E2eP95Ms,
    double E2eP99Ms,
    int PeakInstances,
    double SimSeconds,
    double WallSeconds)
{
    /// <summary>Instance-hours relative to the oracle's; null when the oracle did not run.</summary>
    public double? CostVsOracle { get; init; }

    /// <summary>Requests whose TTFT on an idle instance (prefill alone) is within the SLO.</summary>
    public long FeasibleRequests { get; init; }

    /// <summary>The share of requests that can meet the SLO at all.</summary>
    public double FeasibleShare => Requests > 0 ? (double)FeasibleRequests / Requests : 1;

    /// <summary>The headline: requests within the SLO over feasible requests (<see cref="SloAttainment"/> is over all requests).</summary>
    public double FeasibleAttainment => FeasibleRequests > 0 ? SloAttainment * Requests / FeasibleRequests : 1;

    /// <summary>Resizes the policy asked for at or above the simulation's MaxSize (each clamped to it).</summary>
    public int MaxSizeHits { get; init; }

    /// <summary>Each load event's recovery time (<see cref="LoadEvents"/>, <see cref="RecoveryTracker"/>); empty when the trace has none.</summary>
    public EventRecoveries Recoveries { get; init; } = EventRecoveries.None;

    /// <summary>The slowest recovery in seconds: null without events, +∞ when some event never recovered.</summary>
    public double? WorstRecoverySeconds => Recoveries.Count == 0 ? null : Recoveries.Max(r => r.Seconds ?? double.PositiveInfinity);

    public double RequestsPerWallSecond => WallSeconds > 0 ? Requests / WallSeconds : 0;
}

/// <summary>One minute of a run, for the timeline CSV and the chart.</summary>
public readonly record struct TimelineRow(Monitoring.MinuteStats Stats, int Desired);
