namespace AiLbAutoscaler.Core.Policy;

/// <summary>
/// Look-ahead over the reaction time: a least-squares line through the latest readings of the request rate, carried
/// forward over the reaction time (the reading's age, plus <see cref="ScalingPolicy.ActuationSeconds"/>, plus the
/// initialization period), votes the size that rate will need. Bounded: only a rise the fit shows clearly (its slope at
/// least <see cref="MinSlopeT"/> standard errors above 0) votes, and at most <see cref="MaxGrowth"/> above the newest
/// reading. It never scales in: a falling trend does not vote.
/// </summary>
public sealed class TrendOptions
{
    public bool Enabled { get; set; }

    /// <summary>The group's total request rate; its per-instance capacity is Demand's (or the rate signal's PerInstance target).</summary>
    public string RateSignal { get; set; } = AiLbAutoscaler.Core.Signals.SignalNames.RequestRate;

    /// <summary>Readings in the fit (6: six minutes of a per-minute metric).</summary>
    public int Points { get; set; } = 6;

    /// <summary>How clear a rise must be to vote: its slope over its standard error (2: about 95 % one-sided).</summary>
    public double MinSlopeT { get; set; } = 2;

    /// <summary>The most the look-ahead adds to the newest reading, as a fraction of it (1: at most double).</summary>
    public double MaxGrowth { get; set; } = 1;
}
