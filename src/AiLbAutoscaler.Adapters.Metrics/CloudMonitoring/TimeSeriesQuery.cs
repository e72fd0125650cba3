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

    public bool IsRaw => Aligner is null || Aligner == "ALIGN_NONE";

    public bool HasReducer => Reducer is not null && Reducer != "REDUCE_NONE";
}
