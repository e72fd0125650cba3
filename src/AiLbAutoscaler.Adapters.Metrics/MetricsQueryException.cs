namespace AiLbAutoscaler.Adapters.Metrics;

/// <summary>A metrics query failed in a way the caller reports as "signal missing"; the message is safe to log.</summary>
public sealed class MetricsQueryException(string message, Exception? inner = null) : Exception(message, inner);
