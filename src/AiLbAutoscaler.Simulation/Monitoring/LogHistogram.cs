namespace AiLbAutoscaler.Simulation.Monitoring;

/// <summary>
/// A fixed-size histogram of positive values (milliseconds) in log buckets: 32 per power of two, so any percentile is
/// within about 2 % of the exact value. Recording is a few integer operations on the value's bits; no list is kept or sorted.
/// Values above the range, and requests that were dropped, land in an overflow bucket that counts as infinitely slow.
/// </summary>
public sealed class LogHistogram
{
    private const int SubBits = 5;
    private const int MinExponent = -4;   // 1/16 ms
    private const int MaxExponent = 26;   // about 18.6 hours
    private const int Buckets = (MaxExponent - MinExponent) << SubBits;

    private readonly long[] _counts = new long[Buckets + 1];

    public long Count { get; private set; }

    public void Record(double ms)
    {
        _counts[Index(ms)]++;
        Count++;
    }

    /// <summary>A request that never got an answer: slower than any percentile.</summary>
    public void RecordOverflow()
    {
        _counts[Buckets]++;
        Count++;
    }

    public void Clear()
    {
        if (Count > 0)
        {
            Array.Clear(_counts);
            Count = 0;
        }
    }

    public void Add(LogHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
    }

    /// <summary>The q-quantile (0..1) in ms; NaN when empty; +∞ when it falls among the dropped or overflowed.</summary>
    public double Percentile(double q) => Quantile(q, Count, double.PositiveInfinity);

    /// <summary>The q-quantile of the recorded values only, leaving out the overflow (dropped) ones; NaN when none.</summary>
    public double PercentileOfRecorded(double q) => Quantile(q, Count - _counts[Buckets], double.NaN);

    private double Quantile(double q, long population, double beyond)
    {
        if (population <= 0)
        {
            return double.NaN;
        }

        var rank = Math.Clamp((long)Math.Ceiling(q * population), 1, population);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Middle(i);
            }
        }

        return beyond;
    }

    private static int Index(double ms)
    {
        if (!(ms > 0))
        {
            return 0;
        }

        var bits = BitConverter.DoubleToInt64Bits(ms);
        var exponent = (int)((bits >> 52) & 0x7FF) - 1023;
        if (exponent < MinExponent)
        {
            return 0;
        }

        if (exponent >= MaxExponent)
        {
            return Buckets;
        }

        var sub = (int)((bits >> (52 - SubBits)) & ((1 << SubBits) - 1));
        return ((exponent - MinExponent) << SubBits) | sub;
    }

    /// <summary>The geometric middle of a bucket.</summary>
    private static double Middle(int index)
    {
        var exponent = (index >> SubBits) + MinExponent;
        var sub = index & ((1 << SubBits) - 1);
        var lo = Math.ScaleB(1 + sub / (double)(1 << SubBits), exponent);
        var hi = Math.ScaleB(1 + (sub + 1) / (double)(1 << SubBits), exponent);
        return Math.Sqrt(lo * hi);
    }
}
