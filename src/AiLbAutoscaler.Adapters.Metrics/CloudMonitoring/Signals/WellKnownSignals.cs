using AiLbAutoscaler.Adapters.Metrics.Configuration;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Adapters.Metrics.CloudMonitoring.Signals;

// Metric types, kinds and visibility delays: reference §9a (Cloud Monitoring metrics lists). LB metrics are sampled every
// 60 s and not visible for up to 210 s; VM metrics for up to 240 s.

/// <summary>p95 backend latency (ms): DELTA DISTRIBUTION <c>https/backend_latencies</c> of the backend service.</summary>
public sealed class BackendLatencySignal : ICloudMonitoringSignal
{
    public const string MetricType = "loadbalancing.googleapis.com/https/backend_latencies";

    public string Name => SignalNames.LatencyP95Ms;

    public TimeSeriesQuery? Build(StackMetricsOptions stack)
    {
        if (string.IsNullOrEmpty(stack.BackendServiceName))
        {
            return null;
        }

        var filter = MonitoringFilter.Backend(MetricType, stack.BackendServiceName);
        return stack.LatencyMode == LatencyMode.RawDistribution
            ? new TimeSeriesQuery { Signal = Name, Filter = filter, Percentile = 95, IngestDelay = TimeSpan.FromSeconds(210) }
            : new TimeSeriesQuery
            {
                Signal = Name, Filter = filter, Aligner = "ALIGN_DELTA", Reducer = "REDUCE_PERCENTILE_95",
                GroupBy = ["resource.labels.backend_target_name"],
                AlignmentPeriod = TimeSpan.FromSeconds(stack.AlignmentPeriodSeconds), IngestDelay = TimeSpan.FromSeconds(210),
            };
    }
}

/// <summary>Requests per second from the load balancer to the backend service: ALIGN_RATE, summed.</summary>
public sealed class RequestRateSignal : ICloudMonitoringSignal
{
    public const string MetricType = "loadbalancing.googleapis.com/https/backend_request_count";

    public string Name => SignalNames.RequestRate;

    public TimeSeriesQuery? Build(StackMetricsOptions stack) => string.IsNullOrEmpty(stack.BackendServiceName)
        ? null
        : new TimeSeriesQuery
        {
            Signal = Name, Filter = MonitoringFilter.Backend(MetricType, stack.BackendServiceName), Aligner = "ALIGN_RATE",
            Reducer = "REDUCE_SUM", GroupBy = ["resource.labels.backend_target_name"],
            AlignmentPeriod = TimeSpan.FromSeconds(stack.AlignmentPeriodSeconds), IngestDelay = TimeSpan.FromSeconds(210),
        };
}

/// <summary>5xx responses per second of the backend service (<c>response_code_class = 500</c>). No 5xx series is "missing".</summary>
public sealed class ErrorRate5xxSignal : ICloudMonitoringSignal
{
    public string Name => SignalNames.ErrorRate5xx;

    /// <summary>The request-rate query, restricted to 5xx responses.</summary>
    public TimeSeriesQuery? Build(StackMetricsOptions stack) => new RequestRateSignal().Build(stack) is { } rate
        ? rate with { Signal = Name, Filter = rate.Filter + " AND metric.labels.response_code_class = 500" }
        : null;
}

/// <summary>Mean CPU utilization (0..1) of the group's VMs: GAUGE DOUBLE <c>instance/cpu/utilization</c>.</summary>
public sealed class CpuUtilizationSignal : ICloudMonitoringSignal
{
    public const string MetricType = "compute.googleapis.com/instance/cpu/utilization";

    public string Name => SignalNames.CpuUtilization;

    public TimeSeriesQuery? Build(StackMetricsOptions stack) => string.IsNullOrEmpty(stack.InstanceGroupName)
        ? null
        : new TimeSeriesQuery
        {
            Signal = Name, Filter = MonitoringFilter.GroupInstances(MetricType, stack), Aligner = "ALIGN_MEAN",
            Reducer = "REDUCE_MEAN", AlignmentPeriod = TimeSpan.FromSeconds(stack.AlignmentPeriodSeconds),
            IngestDelay = TimeSpan.FromSeconds(240), CountsInstances = true,
        };
}

/// <summary>Mean GPU utilization (0..1) of the group's VMs, from the Ops Agent (percent, scaled) or its DCGM receiver.</summary>
public sealed class GpuUtilizationSignal : ICloudMonitoringSignal
{
    public string Name => SignalNames.GpuUtilization;

    public TimeSeriesQuery? Build(StackMetricsOptions stack)
    {
        if (string.IsNullOrEmpty(stack.InstanceGroupName))
        {
            return null;
        }

        (string type, double scale)? metric = stack.GpuMetric switch
        {
            GpuMetricKind.OpsAgent => ("agent.googleapis.com/gpu/utilization", 0.01),
            GpuMetricKind.Dcgm => ("workload.googleapis.com/gpu.dcgm.utilization", 1.0),
            GpuMetricKind.DcgmProfilingSm => ("workload.googleapis.com/dcgm.gpu.profiling.sm_utilization", 1.0),
            _ => null,
        };
        return metric is not { } m
            ? null
            : new TimeSeriesQuery
            {
                Signal = Name, Filter = MonitoringFilter.GroupInstances(m.type, stack), Aligner = "ALIGN_MEAN",
                Reducer = "REDUCE_MEAN", Scale = m.scale, AlignmentPeriod = TimeSpan.FromSeconds(stack.AlignmentPeriodSeconds),
                IngestDelay = TimeSpan.FromSeconds(240), CountsInstances = true,
            };
    }
}

/// <summary>The group's size as monitoring sees it: GAUGE INT64 <c>instance_group/size</c>.</summary>
public sealed class GroupSizeSignal : ICloudMonitoringSignal
{
    public const string MetricType = "compute.googleapis.com/instance_group/size";

    public string Name => SignalNames.GroupSize;

    public TimeSeriesQuery? Build(StackMetricsOptions stack)
    {
        if (string.IsNullOrEmpty(stack.InstanceGroupName))
        {
            return null;
        }

        var filter = $"{MonitoringFilter.MetricType(MetricType)} AND resource.type = \"instance_group\" AND resource.labels.instance_group_name = {MonitoringFilter.Quote(stack.InstanceGroupName)}";
        var location = string.IsNullOrEmpty(stack.Zone) ? stack.Region : stack.Zone;
        if (!string.IsNullOrEmpty(location))
        {
            filter += $" AND resource.labels.location = {MonitoringFilter.Quote(location)}";
        }

        return new TimeSeriesQuery
        {
            Signal = Name, Filter = filter, Aligner = "ALIGN_MAX", Reducer = "REDUCE_SUM",
            AlignmentPeriod = TimeSpan.FromSeconds(stack.AlignmentPeriodSeconds), IngestDelay = TimeSpan.FromSeconds(120),
        };
    }
}
