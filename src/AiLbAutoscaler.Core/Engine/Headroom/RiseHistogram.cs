namespace AiLbAutoscaler.Core.Engine.Headroom;

/// <summary>
/// A fixed histogram of rise ratios (the highest rate within a reaction time over the rate at its start): bucket 0 holds
/// no rise (ratio ≤ 1), buckets 1 … 63 split ratios 1 … <see cref="MaxRatio"/> geometrically (about 3.4 % wide), the last
/// also holds everything above. Pure functions over the weights.
/// </summary>
public static class RiseHistogram
{
    public const int Buckets = 64;

    /// <summary>The largest rise the headroom sizes for: 8× (a learned target never falls below saturation / 8).</summary>
    public const double MaxRatio = 8;

    public static int BucketOf(double ratio) =>
        ratio <= 1 ? 0 : Math.Min(Buckets - 1, 1 + (int)(Math.Log(ratio) / Math.Log(MaxRatio) * (Buckets - 2)));

    /// <summary>The upper edge of bucket <paramref name="bucket"/>: the ratio the headroom sizes for when it is the quantile's.</summary>
    public static double UpperRatio(int bucket) =>
        bucket <= 0 ? 1 : Math.Min(MaxRatio, Math.Pow(MaxRatio, bucket / (double)(Buckets - 2)));

    /// <summary>The ratio at quantile <paramref name="q"/> of the weights (its bucket's upper edge), or 1 with no weight.</summary>
    public static double Quantile(IReadOnlyList<double> weights, double q)
    {
        var total = weights.Sum();
        if (!(total > 0))
        {
            return 1;
        }

        var cumulative = 0.0;
        for (var i = 0; i < weights.Count; i++)
        {
            cumulative += weights[i];
            if (cumulative >= q * total - 1e-12)
            {
                return UpperRatio(i);
            }
        }

        return MaxRatio;
    }
}
