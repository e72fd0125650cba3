using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.State;

namespace AiLbAutoscaler.Core.Engine.Forecasting;

/// <summary>
/// Seasonal-naive forecasting with an additive level: the value expected at a future time is the value now plus the
/// change the profile shows between now and then. Pure functions over <see cref="SeasonalProfile"/>.
/// </summary>
public static class SeasonalForecaster
{
    /// <summary>
    /// The highest value expected in the look-ahead window after <paramref name="observedAt"/>, or null (with the reason)
    /// when the profile has not yet seen the buckets it needs.
    /// </summary>
    public static (double? Peak, string Note) PeakAhead(SeasonalProfile? profile, ForecastOptions options, double observed, DateTimeOffset observedAt, DateTimeOffset now)
    {
        if (profile is null || profile.Means.Count != options.Buckets)
        {
            return (null, "no seasonal history yet");
        }

        var nowBucket = BucketOf(observedAt, options);
        if (profile.Samples[nowBucket] == 0)
        {
            return (null, "no history for the current time of season");
        }

        var baseline = profile.Means[nowBucket];
        // Every bucket from the reading's up to the end of the lead, the last one included.
        var bucket = TimeSpan.FromSeconds(options.BucketSeconds);
        var end = now + TimeSpan.FromSeconds(options.LeadSeconds);
        var steps = (int)Math.Ceiling((end - observedAt) / bucket);
        double? peak = null;
        for (var k = 1; k <= steps; k++)
        {
            var at = observedAt + k * bucket;
            var b = BucketOf(at > end ? end : at, options);
            if (profile.Samples[b] == 0)
            {
                continue;
            }

            var expected = observed + (profile.Means[b] - baseline);
            peak = peak is double p ? Math.Max(p, expected) : expected;
        }

        return peak is null
            ? (null, "no history for the look-ahead window")
            : (peak, $"seasonal profile expects up to {peak:0.##} within {options.LeadSeconds:0} s (now {observed:0.##})");
    }

    /// <summary>Folds a reading into the profile, once per reading time.</summary>
    public static SeasonalProfile Learn(SeasonalProfile? profile, ForecastOptions options, double observed, DateTimeOffset observedAt)
    {
        if (profile is null || profile.Means.Count != options.Buckets)
        {
            profile = SeasonalProfile.Create(options.Buckets);
        }

        if (profile.LastSampleAt is { } last && observedAt <= last)
        {
            return profile;
        }

        var b = BucketOf(observedAt, options);
        var means = profile.Means.ToArray();
        var samples = profile.Samples.ToArray();
        samples[b] = samples[b] == int.MaxValue ? int.MaxValue : samples[b] + 1;
        var weight = Math.Max(options.Smoothing, 1.0 / samples[b]);
        means[b] += weight * (observed - means[b]);
        return new SeasonalProfile(means, samples, observedAt);
    }

    private static int BucketOf(DateTimeOffset at, ForecastOptions options)
    {
        var intoSeason = at.ToUnixTimeMilliseconds() / 1000.0 % options.SeasonSeconds;
        if (intoSeason < 0)
        {
            intoSeason += options.SeasonSeconds;
        }

        return Math.Min(options.Buckets - 1, (int)(intoSeason / options.BucketSeconds));
    }
}
