using AiLbAutoscaler.Adapters.Metrics.Configuration;

namespace AiLbAutoscaler.Adapters.Metrics.CloudMonitoring.Signals;

/// <summary>A well-known signal: turns a stack's settings into the query that reads it.</summary>
public interface ICloudMonitoringSignal
{
    string Name { get; }

    /// <summary>The query, or null when the stack lacks the settings this signal needs (it is then not read).</summary>
    TimeSeriesQuery? Build(StackMetricsOptions stack);
}
