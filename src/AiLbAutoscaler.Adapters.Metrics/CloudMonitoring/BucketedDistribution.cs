namespace AiLbAutoscaler.Adapters.Metrics.CloudMonitoring;

/// <summary>
/// A histogram in Cloud Monitoring's bucket layout, and percentiles read from it. Buckets are given by their finite
/// boundaries b[0] &lt; … &lt; b[n−1]: bucket 0 is the underflow (−∞, b[0]), bucket i is [b[i−1], b[i]), the last bucket
/// is the overflow [b[n−1], +∞). Linear and exponential layouts with N finite buckets have N+1 boundaries (N+2 buckets);
/// explicit layouts list their boundaries.
/// <para>
/// A percentile interpolates linearly inside the bucket that holds its rank. Underflow and overflow have no outer bound:
/// the observed range's min (max) is used when known, otherwise the percentile is the finite boundary of that bucket.
/// </para>
/// </summary>
public sealed class BucketedDistribution
{
    private readonly double[] _bounds;
    private readonly long[] _counts;

    private BucketedDistribution(double[] bounds, long[] counts, double? min, double? max)
    {
        _bounds = bounds;
        _counts = counts;
        Min = min;
        Max = max;
    }

    /// <summary>Smallest observed value, when the source reports the range.</summary>
    public double? Min { get; }

    /// <summary>Largest observed value, when the source reports the range.</summary>
    public double? Max { get; }

    public IReadOnlyList<double> Bounds => _bounds;

    public IReadOnlyList<long> Counts => _counts;

    public long TotalCount => _counts.Sum();

    /// <summary>Boundaries offset + width·i, i = 0…N.</summary>
    public static BucketedDistribution Linear(int numFiniteBuckets, double width, double offset, IReadOnlyList<long> counts, double? min = null, double? max = null)
    {
        Require(numFiniteBuckets >= 1, "linearBuckets.numFiniteBuckets must be 1 or more");
        Require(width > 0, "linearBuckets.width must be positive");
        var bounds = new double[numFiniteBuckets + 1];
        for (var i = 0; i < bounds.Length; i++)
        {
            bounds[i] = offset + (width * i);
        }

        return Create(bounds, counts, min, max);
    }

    /// <summary>Boundaries scale·growthFactor^i, i = 0…N.</summary>
    public static BucketedDistribution Exponential(int numFiniteBuckets, double growthFactor, double scale, IReadOnlyList<long> counts, double? min = null, double? max = null)
    {
        Require(numFiniteBuckets >= 1, "exponentialBuckets.numFiniteBuckets must be 1 or more");
        Require(growthFactor > 1, "exponentialBuckets.growthFactor must be greater than 1");
        Require(scale > 0, "exponentialBuckets.scale must be positive");
        var bounds = new double[numFiniteBuckets + 1];
        for (var i = 0; i < bounds.Length; i++)
        {
            bounds[i] = scale * Math.Pow(growthFactor, i);
        }

        return Create(bounds, counts, min, max);
    }

    /// <summary>The listed boundaries, strictly increasing.</summary>
    public static BucketedDistribution Explicit(IReadOnlyList<double> bounds, IReadOnlyList<long> counts, double? min = null, double? max = null)
    {
        Require(bounds.Count >= 1, "explicitBuckets.bounds must list at least one boundary");
        for (var i = 1; i < bounds.Count; i++)
        {
            Require(bounds[i] > bounds[i - 1], "explicitBuckets.bounds must be strictly increasing");
        }

        return Create([.. bounds], counts, min, max);
    }

    /// <summary>The sum of two histograms with the same layout (series of one metric at one point in time).</summary>
    public BucketedDistribution Merge(BucketedDistribution other)
    {
        Require(_bounds.AsSpan().SequenceEqual(other._bounds), "cannot merge distributions with different bucket layouts");
        var counts = new long[_counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = _counts[i] + other._counts[i];
        }

        double? min = Min is { } a && other.Min is { } b ? Math.Min(a, b) : null;
        double? max = Max is { } c && other.Max is { } d ? Math.Max(c, d) : null;
        return new BucketedDistribution(_bounds, counts, min, max);
    }

    /// <summary>The p-th percentile (0 &lt; p ≤ 100), or null when the histogram is empty.</summary>
    public double? Percentile(double p)
    {
        if (!(p > 0 && p <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "percentile must be in (0, 100]");
        }

        var total = TotalCount;
        if (total == 0)
        {
            return null;
        }

        var rank = p / 100 * total;
        long before = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            var count = _counts[i];
            if (count > 0 && before + count >= rank)
            {
                var last = _counts.Length - 1;
                var lower = i == 0 ? Math.Min(Min ?? _bounds[0], _bounds[0]) : _bounds[i - 1];
                var upper = i == last ? Math.Max(Max ?? _bounds[^1], _bounds[^1]) : _bounds[i];
                return lower + ((rank - before) / count * (upper - lower));
            }

            before += count;
        }

        return _bounds[^1];
    }

    private static BucketedDistribution Create(double[] bounds, IReadOnlyList<long> counts, double? min, double? max)
    {
        var buckets = bounds.Length + 1;
        Require(counts.Count <= buckets, $"bucketCounts has {counts.Count} entries but the layout has {buckets} buckets");
        var padded = new long[buckets];
        for (var i = 0; i < counts.Count; i++)
        {
            Require(counts[i] >= 0, "bucketCounts must not be negative");
            padded[i] = counts[i];
        }

        return new BucketedDistribution(bounds, padded, min, max);
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new FormatException(message);
        }
    }
}
