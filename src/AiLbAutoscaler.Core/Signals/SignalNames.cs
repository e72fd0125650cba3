namespace AiLbAutoscaler.Core.Signals;

/// <summary>The well-known signal names. Custom signals may use any other name.</summary>
public static class SignalNames
{
    /// <summary>p95 backend latency in milliseconds (or p95 TTFT where the source can see it).</summary>
    public const string LatencyP95Ms = "latency_p95_ms";

    /// <summary>Total request rate across the group, requests per second.</summary>
    public const string RequestRate = "request_rate";

    /// <summary>
    /// The height of the last minutes' bursts, requests per second: the highest short-window (15 s) request rate of the
    /// last 5 minutes less what counting noise explains (docs/metrics.md gives the PromQL). A burst shorter than the 1 m
    /// window of <see cref="RequestRate"/> shows here at its own height.
    /// </summary>
    public const string RequestRatePeak = "request_rate_peak";

    /// <summary>Mean CPU utilization of the serving instances, 0..1.</summary>
    public const string CpuUtilization = "cpu_utilization";

    /// <summary>Mean GPU utilization of the serving instances, 0..1.</summary>
    public const string GpuUtilization = "gpu_utilization";

    /// <summary>Mean in-flight plus queued requests per serving instance.</summary>
    public const string QueuePerInstance = "queue_per_instance";

    /// <summary>5xx responses per second. Observed and recorded; not a scaling signal unless a target names it.</summary>
    public const string ErrorRate5xx = "error_rate_5xx";

    /// <summary>Group size as the monitoring system sees it; informational.</summary>
    public const string GroupSize = "group_size";
}
