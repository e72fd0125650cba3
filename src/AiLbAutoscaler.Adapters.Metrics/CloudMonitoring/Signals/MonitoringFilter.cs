using AiLbAutoscaler.Adapters.Metrics.Configuration;

namespace AiLbAutoscaler.Adapters.Metrics.CloudMonitoring.Signals;

/// <summary>Builds monitoring filter clauses (syntax per the Cloud Monitoring filter reference).</summary>
internal static class MonitoringFilter
{
    /// <summary>A double-quoted filter string literal.</summary>
    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    public static string MetricType(string type) => "metric.type = " + Quote(type);

    /// <summary>HTTPS load balancer series of one backend service.</summary>
    public static string Backend(string metricType, string backend) =>
        $"{MetricType(metricType)} AND resource.type = \"https_lb_rule\" AND resource.labels.backend_target_name = {Quote(backend)}";

    /// <summary>gce_instance series of the group's VMs, restricted to the group's zone or region when given.</summary>
    public static string GroupInstances(string metricType, StackMetricsOptions stack)
    {
        var filter = $"{MetricType(metricType)} AND resource.type = \"gce_instance\" AND metadata.system_labels.instance_group = {Quote(stack.InstanceGroupName!)}";
        if (!string.IsNullOrEmpty(stack.Zone))
        {
            filter += $" AND resource.labels.zone = {Quote(stack.Zone)}";
        }
        else if (!string.IsNullOrEmpty(stack.Region))
        {
            filter += $" AND resource.labels.zone = starts_with({Quote(stack.Region + "-")})";
        }

        return filter;
    }
}
