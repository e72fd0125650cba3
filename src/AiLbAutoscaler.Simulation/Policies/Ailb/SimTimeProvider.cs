namespace AiLbAutoscaler.Simulation.Policies.Ailb;

/// <summary>The simulator's virtual clock as a <see cref="TimeProvider"/>, so the real controller and engine run unchanged.</summary>
public sealed class SimTimeProvider(Func<double> secondsSinceStart) : TimeProvider
{
    /// <summary>Minute 0 of every trace: a Monday at midnight UTC.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Epoch.AddSeconds(secondsSinceStart());

    public override long TimestampFrequency => 1_000_000;

    public override long GetTimestamp() => (long)(secondsSinceStart() * 1_000_000);

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
