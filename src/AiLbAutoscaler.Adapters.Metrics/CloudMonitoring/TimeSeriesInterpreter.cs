using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Adapters.Metrics.CloudMonitoring;

/// <summary>
/// Turns a <c>timeSeries.list</c> result into one reading: the newest complete point (its interval end older than the
/// ingest delay), NaN ignored, stamped with that end time. Empty or partial results are missing, never zero.
/// </summary>
internal static class TimeSeriesInterpreter
{
    public static SignalReading Interpret(TimeSeriesQuery query, TimeSeriesResult result, DateTimeOffset now, TimeSpan window)
    {
        if (result.ExecutionErrors.Count > 0)
        {
            var first = result.ExecutionErrors[0];
            return SignalReading.Missing(query.Signal,
                $"partial result: Cloud Monitoring reported {result.ExecutionErrors.Count} execution error(s), first code {first.Code}: {first.Message}");
        }

        if (result.Series.Count == 0)
        {
            return SignalReading.Missing(query.Signal, $"no data in the last {window.TotalMinutes:0} min for {MetricType(query.Filter)}");
        }

        var cutoff = now - query.IngestDelay;
        return query.IsRaw && query.Percentile is { } p
            ? FromRawDistributions(query, result.Series, cutoff, p)
            : FromNumericSeries(query, result.Series, cutoff);
    }

    /// <summary>
    /// How many instances report at <paramref name="at"/> in the result of <see cref="TimeSeriesQuery.InstanceCount"/>:
    /// the series (one per instance) with a positive count point ending exactly then. Null when the result is partial or
    /// no series has a point at that time: never a guess.
    /// </summary>
    public static int? InstancesAt(TimeSeriesResult result, DateTimeOffset at)
    {
        if (result.ExecutionErrors.Count > 0)
        {
            return null;
        }

        var instances = result.Series
            .GroupBy(s => s.Key())
            .Count(series => series.SelectMany(s => s.Points ?? [])
                .Any(p => p.Interval?.EndTime == at && Numeric(p.Value) is { } n && double.IsFinite(n) && n >= 1));
        return instances > 0 ? instances : null;
    }

    private static SignalReading FromNumericSeries(TimeSeriesQuery query, IReadOnlyList<TimeSeriesJson> series, DateTimeOffset cutoff)
    {
        var distinct = series.Select(s => s.Key()).Distinct().Count();
        if (distinct > 1)
        {
            return SignalReading.Missing(query.Signal,
                $"the query returned {distinct} series; set a cross-series reducer (and group-by fields) that yields one");
        }

        if (series.Any(s => s.ValueType == "DISTRIBUTION"))
        {
            return SignalReading.Missing(query.Signal,
                "the query returned DISTRIBUTION values; use a percentile aligner or reducer, or ALIGN_NONE with a Percentile");
        }

        DateTimeOffset? bestAt = null;
        double best = 0;
        int points = 0, nonFinite = 0, incomplete = 0;
        foreach (var point in series.SelectMany(s => s.Points ?? []))
        {
            points++;
            if (point.Interval?.EndTime is not { } end || Numeric(point.Value) is not { } value)
            {
                continue;
            }

            if (!double.IsFinite(value))
            {
                nonFinite++;
                continue;
            }

            if (end > cutoff)
            {
                incomplete++;
                continue;
            }

            if (bestAt is null || end > bestAt)
            {
                bestAt = end;
                best = value;
            }
        }

        if (bestAt is { } at)
        {
            return SignalReading.Of(query.Signal, best * query.Scale, at);
        }

        return SignalReading.Missing(query.Signal, NoPointReason(points, nonFinite, incomplete, query.IngestDelay));
    }

    private static SignalReading FromRawDistributions(TimeSeriesQuery query, IReadOnlyList<TimeSeriesJson> series, DateTimeOffset cutoff, double percentile)
    {
        var byEnd = new SortedDictionary<DateTimeOffset, BucketedDistribution>();
        int points = 0, incomplete = 0;
        foreach (var point in series.SelectMany(s => s.Points ?? []))
        {
            points++;
            if (point.Interval?.EndTime is not { } end || point.Value?.DistributionValue is not { } d)
            {
                continue;
            }

            if (end > cutoff)
            {
                incomplete++;
                continue;
            }

            BucketedDistribution histogram;
            try
            {
                histogram = ToHistogram(d);
            }
            catch (FormatException ex)
            {
                return SignalReading.Missing(query.Signal, $"unusable distribution at {end:O}: {ex.Message}");
            }

            try
            {
                byEnd[end] = byEnd.TryGetValue(end, out var sum) ? sum.Merge(histogram) : histogram;
            }
            catch (FormatException ex)
            {
                return SignalReading.Missing(query.Signal, $"series at {end:O} disagree: {ex.Message}");
            }
        }

        foreach (var (end, histogram) in byEnd.Reverse())
        {
            if (histogram.Percentile(percentile) is { } value)
            {
                return SignalReading.Of(query.Signal, value * query.Scale, end);
            }
        }

        return SignalReading.Missing(query.Signal, byEnd.Count > 0
            ? "every complete distribution point is empty (no requests)"
            : NoPointReason(points, 0, incomplete, query.IngestDelay));
    }

    /// <summary>The histogram of one DISTRIBUTION value.</summary>
    public static BucketedDistribution ToHistogram(DistributionJson d)
    {
        var counts = d.BucketCounts ?? [];
        double? min = d.Range?.Min, max = d.Range?.Max;
        if (d.Range is { Min: 0, Max: 0 })
        {
            (min, max) = (null, null);
        }

        var options = d.BucketOptions ?? throw new FormatException("bucketOptions is missing");
        if (options.LinearBuckets is { } l)
        {
            return BucketedDistribution.Linear(l.NumFiniteBuckets, l.Width, l.Offset, counts, min, max);
        }

        if (options.ExponentialBuckets is { } e)
        {
            return BucketedDistribution.Exponential(e.NumFiniteBuckets, e.GrowthFactor, e.Scale, counts, min, max);
        }

        if (options.ExplicitBuckets is { } x)
        {
            return BucketedDistribution.Explicit(x.Bounds ?? [], counts, min, max);
        }

        throw new FormatException("bucketOptions names no linear, exponential or explicit layout");
    }

    private static double? Numeric(TypedValueJson? value) => value switch
    {
        { DoubleValue: { } d } => d,
        { Int64Value: { } l } => l,
        { BoolValue: { } b } => b ? 1 : 0,
        _ => null,
    };

    private static string NoPointReason(int points, int nonFinite, int incomplete, TimeSpan ingestDelay)
    {
        if (points == 0)
        {
            return "the series have no points";
        }

        if (incomplete > 0 && incomplete + nonFinite == points)
        {
            return $"only incomplete points: all {incomplete} end within the ingest delay of {ingestDelay.TotalSeconds:0} s";
        }

        return nonFinite > 0 ? $"no usable point: {nonFinite} of {points} are NaN or infinite" : $"no usable point among {points}";
    }

    /// <summary>The metric type named by a filter, for messages.</summary>
    public static string MetricType(string filter)
    {
        const string marker = "metric.type";
        var i = filter.IndexOf(marker, StringComparison.Ordinal);
        if (i < 0)
        {
            return "the filter";
        }

        var open = filter.IndexOf('"', i);
        var close = open < 0 ? -1 : filter.IndexOf('"', open + 1);
        return close > open ? filter[(open + 1)..close] : "the filter";
    }
}
