using AiLbAutoscaler.Adapters.Metrics.Configuration;

namespace AiLbAutoscaler.Adapters.Metrics.CloudMonitoring.Signals;

/// <summary>The queries of one stack: the well-known signals its settings allow, minus disabled ones, plus custom signals
/// (a custom signal with a well-known name replaces it).</summary>
public static class CloudMonitoringSignalCatalog
{
    public static IReadOnlyList<ICloudMonitoringSignal> WellKnown { get; } =
    [
        new BackendLatencySignal(), new RequestRateSignal(), new ErrorRate5xxSignal(), new CpuUtilizationSignal(),
        new GpuUtilizationSignal(), new GroupSizeSignal(),
    ];

    public static IReadOnlyList<TimeSeriesQuery> For(StackMetricsOptions stack)
    {
        var custom = stack.Signals.Select(s => FromCustom(s, stack)).ToList();
        var queries = new List<TimeSeriesQuery>();
        foreach (var signal in WellKnown)
        {
            if (stack.DisabledSignals.Contains(signal.Name, StringComparer.OrdinalIgnoreCase)
                || custom.Any(c => string.Equals(c.Signal, signal.Name, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            if (signal.Build(stack) is { } query)
            {
                queries.Add(query);
            }
        }

        queries.AddRange(custom);
        return queries;
    }

    /// <summary>True when the filter restricts to per-VM series (<c>resource.type = "gce_instance"</c>).</summary>
    public static bool IsGceInstanceFilter(string filter) =>
        System.Text.RegularExpressions.Regex.IsMatch(filter, @"\bresource\.type\s*=\s*""gce_instance""");

    /// <summary>A configured signal (validated beforehand: Name and Filter are present).</summary>
    public static TimeSeriesQuery FromCustom(CustomSignalOptions signal, StackMetricsOptions stack)
    {
        var aligner = string.IsNullOrWhiteSpace(signal.Aligner) ? (signal.Percentile is null ? "ALIGN_MEAN" : "ALIGN_NONE") : signal.Aligner.Trim();
        var reducer = string.IsNullOrWhiteSpace(signal.Reducer) ? (aligner == "ALIGN_NONE" ? null : "REDUCE_MEAN") : signal.Reducer.Trim();
        return new TimeSeriesQuery
        {
            Signal = signal.Name!,
            Filter = signal.Filter!,
            Aligner = aligner,
            Reducer = reducer,
            GroupBy = signal.GroupBy.ToList(),
            Percentile = signal.Percentile,
            Scale = signal.Scale,
            AlignmentPeriod = TimeSpan.FromSeconds(stack.AlignmentPeriodSeconds),
            IngestDelay = TimeSpan.FromSeconds(signal.IngestDelaySeconds),
            CountsInstances = reducer == "REDUCE_MEAN" && aligner != "ALIGN_NONE" && signal.Percentile is null && IsGceInstanceFilter(signal.Filter!),
        };
    }
}
