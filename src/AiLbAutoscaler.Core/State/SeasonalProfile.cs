namespace AiLbAutoscaler.Core.State;

/// <summary>
/// The learned shape of one season of a rate signal: a smoothed mean per bucket and how many samples made it.
/// Kept small (a day of 10-minute buckets is 144 numbers) so it fits in one state record.
/// </summary>
public sealed record SeasonalProfile(IReadOnlyList<double> Means, IReadOnlyList<int> Samples, DateTimeOffset? LastSampleAt)
{
    public static SeasonalProfile Create(int buckets) => new(new double[buckets], new int[buckets], null);
}
