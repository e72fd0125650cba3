namespace AiLbAutoscaler.Adapters.Metrics.CloudMonitoring;

/// <summary>One <c>projects.timeSeries.list</c> query that yields one signal.</summary>
public sealed record TimeSeriesQuery
{
    public required string Signal { get; init; }

    /// <summary>The monitoring filter; names exactly one metric type.</summary>
    public required string Filter { get; init; }

    /// <summary>Per-series aligner; null or ALIGN_NONE reads raw points.</summary>
    public string? Aligner { get; init; }

    /// <summary>Cross-series reducer; null or REDUCE_NONE for none.</summary>
    public string? Reducer { get; init; }

    public IReadOnlyList<string> GroupBy { get; init; } = [];

    public TimeSpan AlignmentPeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Points ending after now minus this are treated as incomplete.</summary>
    public TimeSpan IngestDelay { get; init; } = TimeSpan.FromSeconds(60);

    public double Scale { get; init; } = 1;

    /// <summary>For raw DISTRIBUTION points: the percentile computed from the merged bucket counts.</summary>
    public double? Percentile { get; init; }

    /// <summary>
    /// True for a per-instance mean over <c>gce_instance</c> series: a companion REDUCE_COUNT query then reports how many
    /// instances the mean at its chosen end time was taken over (<see cref="InstanceCount"/>).
    /// </summary>
    public bool CountsInstances { get; init; }

    /// <summary>The companion query: same filter, window and aligner; REDUCE_COUNT grouped by instance, so each series is
    /// one instance (a VM with several GPUs reports one series per GPU, which an ungrouped count would count).</summary>
    public TimeSeriesQuery InstanceCount() => this with
    {
        Signal = Signal + ".instances",
        Reducer = "REDUCE_COUNT",
        GroupBy = [.. GroupBy, InstanceIdLabel],
        Percentile = null,
        Scale = 1,
        CountsInstances = false,
    };

    public const string InstanceIdLabel = "resource.labels.instance_id";

    public bool IsRaw => Aligner is null || Aligner == "ALIGN_NONE";

    public bool HasReducer => Reducer is not null && Reducer != "REDUCE_NONE";
}
