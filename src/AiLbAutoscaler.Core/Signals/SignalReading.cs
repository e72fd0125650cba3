namespace AiLbAutoscaler.Core.Signals;

/// <summary>
/// One observed value of one signal, stamped with the time it describes (not the time it was read).
/// A reading without a value is "missing", and <see cref="Problem"/> says why: a missing value is never zero.
/// <see cref="Instances"/>, where the source knows it, is how many instances a per-instance mean was taken over at
/// <see cref="ObservedAt"/>: the engine then multiplies the mean by that count, not by today's, so a minutes-old mean
/// does not compound with instances added since.
/// </summary>
public sealed record SignalReading(string Signal, double? Value, DateTimeOffset? ObservedAt, string? Problem = null, int? Instances = null)
{
    public static SignalReading Of(string signal, double value, DateTimeOffset observedAt) => new(signal, value, observedAt);

    /// <summary>A per-instance mean over <paramref name="instances"/> instances.</summary>
    public static SignalReading MeanOf(string signal, double mean, DateTimeOffset observedAt, int instances) =>
        new(signal, mean, observedAt, Instances: instances);

    public static SignalReading Missing(string signal, string reason) => new(signal, null, null, reason);

    /// <summary>True when the reading carries a finite value with a time stamp.</summary>
    public bool HasValue => Value is double v && double.IsFinite(v) && ObservedAt is not null;

    public TimeSpan? AgeAt(DateTimeOffset now) => ObservedAt is { } at ? now - at : null;

    /// <summary>The reading of <paramref name="signal"/> among <paramref name="readings"/> (names compare case-insensitively), or null.</summary>
    public static SignalReading? FindIn(IReadOnlyList<SignalReading> readings, string signal)
    {
        foreach (var reading in readings)
        {
            if (string.Equals(reading.Signal, signal, StringComparison.OrdinalIgnoreCase))
            {
                return reading;
            }
        }

        return null;
    }
}
