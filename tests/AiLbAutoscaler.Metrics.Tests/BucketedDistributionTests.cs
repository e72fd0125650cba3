using System.Text.Json;
using AiLbAutoscaler.Adapters.Metrics.CloudMonitoring;

namespace AiLbAutoscaler.Metrics.Tests;

/// <summary>Percentiles from bucket counts, checked against hand computations (pure code, no server).</summary>
[Trait("Area", "Metrics")]
public sealed class BucketedDistributionTests
{
    // Linear, 4 finite buckets of width 10 from 0: (<0) [0,10) [10,20) [20,30) [30,40) (≥40); counts 0 20 30 40 10 0.
    private static readonly BucketedDistribution LinearExample = BucketedDistribution.Linear(4, 10, 0, [0, 20, 30, 40, 10, 0]);

    [Theory]
    [InlineData(50, 20.0)] // rank 50 = the end of [10,20) after 20 + 30
    [InlineData(95, 35.0)] // rank 95: 90 before [30,40), 5 of its 10 → 30 + 0.5·10
    [InlineData(25, 11.666666666666666)] // rank 25: 20 before [10,20), 5 of its 30 → 10 + 10/6
    [InlineData(100, 40.0)]
    public void Linear_buckets_interpolate_inside_the_bucket_holding_the_rank(double p, double expected) =>
        Assert.Equal(expected, LinearExample.Percentile(p)!.Value, 9);

    [Fact]
    public void Exponential_buckets_handle_underflow_and_overflow_with_and_without_the_range()
    {
        // Scale 1, growth 2, 3 finite buckets: bounds 1 2 4 8 → (<1) [1,2) [2,4) [4,8) (≥8); counts 5 5 10 20 10 (50).
        long[] counts = [5, 5, 10, 20, 10];
        var bare = BucketedDistribution.Exponential(3, 2, 1, counts);
        var ranged = BucketedDistribution.Exponential(3, 2, 1, counts, min: 0.5, max: 20);

        Assert.Equal(5.0, bare.Percentile(50)!.Value, 9); // rank 25: 20 before [4,8), 5 of 20 → 4 + 1
        Assert.Equal(8.0, bare.Percentile(99)!.Value, 9); // rank 49.5 in the overflow, no max known → its lower bound
        Assert.Equal(19.4, ranged.Percentile(99)!.Value, 9); // overflow spans [8, max 20]: 8 + 9.5/10·12
        Assert.Equal(1.0, bare.Percentile(5)!.Value, 9); // rank 2.5 in the underflow, no min known → its upper bound
        Assert.Equal(0.75, ranged.Percentile(5)!.Value, 9); // underflow spans [min 0.5, 1]: 0.5 + 2.5/5·0.5
    }

    [Fact]
    public void Explicit_buckets_use_the_listed_bounds_and_missing_trailing_counts_are_zero()
    {
        // Bounds 100 250 1000 → (<100) [100,250) [250,1000) (≥1000); counts 0 3 1 (the overflow count omitted).
        var d = BucketedDistribution.Explicit([100, 250, 1000], [0, 3, 1]);

        Assert.Equal(4, d.TotalCount);
        Assert.Equal(200.0, d.Percentile(50)!.Value, 9); // rank 2 of 3 in [100,250) → 100 + 2/3·150
        Assert.Equal(700.0, d.Percentile(90)!.Value, 9); // rank 3.6: 3 before [250,1000) → 250 + 0.6·750
    }

    [Fact]
    public void Merging_adds_counts_and_an_empty_histogram_has_no_percentile()
    {
        var a = BucketedDistribution.Explicit([10], [1, 0]);
        var b = BucketedDistribution.Explicit([10], [0, 3]);

        Assert.Equal([1, 3], a.Merge(b).Counts);
        Assert.Null(BucketedDistribution.Explicit([10], []).Percentile(95));
        Assert.Throws<FormatException>(() => a.Merge(BucketedDistribution.Explicit([20], [1])));
    }

    [Fact]
    public void Inconsistent_layouts_are_rejected_with_the_field_named()
    {
        Assert.Contains("bucketCounts has 7 entries but the layout has 6 buckets",
            Assert.Throws<FormatException>(() => BucketedDistribution.Linear(4, 10, 0, [1, 1, 1, 1, 1, 1, 1])).Message);
        Assert.Contains("growthFactor", Assert.Throws<FormatException>(() => BucketedDistribution.Exponential(3, 1, 1, [])).Message);
        Assert.Contains("strictly increasing", Assert.Throws<FormatException>(() => BucketedDistribution.Explicit([5, 5], [])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearExample.Percentile(0));
    }

    [Fact]
    public void The_documented_json_bucket_options_map_to_the_layouts()
    {
        var linear = Read("""{ "count": "3", "bucketOptions": { "linearBuckets": { "numFiniteBuckets": 2, "width": 5, "offset": 10 } }, "bucketCounts": ["0", "1", "2"] }""");
        var explicitLayout = Read("""{ "count": "2", "range": { "min": 3, "max": 9 }, "bucketOptions": { "explicitBuckets": { "bounds": [4, 8] } }, "bucketCounts": ["0", "0", "2"] }""");

        Assert.Equal([10.0, 15.0, 20.0], TimeSeriesInterpreter.ToHistogram(linear).Bounds);
        Assert.Equal(16.25, TimeSeriesInterpreter.ToHistogram(linear).Percentile(50)!.Value, 9); // rank 1.5: 1 before [15,20), 0.5 of its 2 → 15 + 0.25·5
        var e = TimeSeriesInterpreter.ToHistogram(explicitLayout);
        Assert.Equal(9.0, e.Max);
        Assert.Equal(8.5, e.Percentile(50)!.Value, 9); // overflow [8, max 9]: 8 + 1/2·1
    }

    private static DistributionJson Read(string json) => JsonSerializer.Deserialize<DistributionJson>(json, MonitoringJson.Options)!;
}
