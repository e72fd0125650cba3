namespace AiLbAutoscaler.Core.Policy;

/// <summary>
/// A seasonal forecast of one rate signal, learned from the recorded history, that lets the group grow before a
/// recurring rise arrives. A forecast only ever adds capacity: it never scales in on its own (as AWS predictive scaling).
/// </summary>
public sealed class ForecastOptions
{
    public bool Enabled { get; set; }

    /// <summary>The signal to forecast; it must have a <see cref="TargetKind.PerInstance"/> target in the policy.</summary>
    public string Signal { get; set; } = AiLbAutoscaler.Core.Signals.SignalNames.RequestRate;

    /// <summary>The length of one season (a day).</summary>
    public double SeasonSeconds { get; set; } = 86_400;

    /// <summary>The width of one bucket of the seasonal profile.</summary>
    public double BucketSeconds { get; set; } = 600;

    /// <summary>How far past the newest reading to look: metric delay + update + boot, so capacity is ready in time.</summary>
    public double LeadSeconds { get; set; } = 600;

    /// <summary>Weight of a new sample once a bucket has this many (until then, a plain mean).</summary>
    public double Smoothing { get; set; } = 0.05;

    public int Buckets => (int)Math.Round(SeasonSeconds / BucketSeconds);
}
