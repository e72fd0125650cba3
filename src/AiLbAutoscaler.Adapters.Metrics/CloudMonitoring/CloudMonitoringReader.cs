using AiLbAutoscaler.Adapters.Metrics.CloudMonitoring.Signals;
using AiLbAutoscaler.Adapters.Metrics.Configuration;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Security;
using Microsoft.Extensions.Logging;

namespace AiLbAutoscaler.Adapters.Metrics.CloudMonitoring;

/// <summary>Plans a stack's Cloud Monitoring queries and reads instance ages from <c>instance/uptime_total</c>.</summary>
internal sealed class CloudMonitoringReader(CloudMonitoringClient client, ILogger<CloudMonitoringReader> logger, SecretRedactor redactor)
{
    public const string UptimeMetricType = "compute.googleapis.com/instance/uptime_total";

    public IReadOnlyList<SignalJob> Plan(string stackName, StackMetricsOptions stack, DateTimeOffset now)
    {
        var window = TimeSpan.FromMinutes(stack.WindowMinutes);
        return CloudMonitoringSignalCatalog.For(stack)
            .Select(query => new SignalJob(query.Signal, query.Filter, async ct =>
            {
                // The instance count runs alongside the mean and never throws, so it cannot make the signal missing.
                var count = query.CountsInstances ? ReadInstanceCountAsync(stackName, stack, query, now, window, ct) : null;
                var result = await client.ListAsync(stack.Project!, query, now - window, now, ct).ConfigureAwait(false);
                var reading = TimeSeriesInterpreter.Interpret(query, result, now, window);
                if (count is null)
                {
                    return reading;
                }

                var countResult = await count.ConfigureAwait(false);
                if (!reading.HasValue || countResult is null)
                {
                    return reading;
                }

                var instances = TimeSeriesInterpreter.InstancesAt(countResult, reading.ObservedAt!.Value);
                if (instances is null)
                {
                    logger.LogInformation("Stack {Stack}: signal {Signal}: no instance count at {At:O}; Instances left unknown",
                        stackName, query.Signal, reading.ObservedAt);
                }

                return reading with { Instances = instances };
            }))
            .ToList();
    }

    /// <summary>The companion REDUCE_COUNT result, or null (logged) when it fails for any reason but the caller's cancellation.</summary>
    private async Task<TimeSeriesResult?> ReadInstanceCountAsync(string stackName, StackMetricsOptions stack, TimeSeriesQuery mean, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken)
    {
        try
        {
            return await client.ListAsync(stack.Project!, mean.InstanceCount(), now - window, now, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Stack {Stack}: signal {Signal}: instance count query failed; Instances left unknown: {Reason}",
                stackName, mean.Signal, redactor.Redact(MetricsHttp.Describe(ex)));
            return null;
        }
    }

    /// <summary>
    /// The ages of the group's running VMs: each VM's newest uptime plus the time since that point. VMs whose newest point is
    /// more than 3 minutes older than the group's newest are taken as gone. Null when not configured or not readable.
    /// </summary>
    public async Task<IReadOnlyList<TimeSpan>?> ReadInstanceAgesAsync(string stackName, StackMetricsOptions stack, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!stack.ReadInstanceAges || string.IsNullOrEmpty(stack.InstanceGroupName))
        {
            return null;
        }

        var query = new TimeSeriesQuery { Signal = "instance_ages", Filter = MonitoringFilter.GroupInstances(UptimeMetricType, stack) };
        try
        {
            var result = await client.ListAsync(stack.Project!, query, now - TimeSpan.FromMinutes(stack.WindowMinutes), now, cancellationToken).ConfigureAwait(false);
            if (result.ExecutionErrors.Count > 0 || result.Series.Count == 0)
            {
                logger.LogWarning("Stack {Stack}: instance ages unknown: {Reason}", stackName,
                    result.Series.Count == 0 ? "no uptime series" : "partial result");
                return null;
            }

            var newest = new List<(DateTimeOffset End, double Seconds)>();
            foreach (var series in result.Series.GroupBy(s => s.Key()))
            {
                var best = series.SelectMany(s => s.Points ?? [])
                    .Where(p => p.Interval?.EndTime is not null && (p.Value?.Int64Value is not null || p.Value?.DoubleValue is { } d && double.IsFinite(d)))
                    .MaxBy(p => p.Interval!.EndTime);
                if (best is not null)
                {
                    newest.Add((best.Interval!.EndTime!.Value, best.Value!.Int64Value ?? best.Value.DoubleValue!.Value));
                }
            }

            if (newest.Count == 0)
            {
                return null;
            }

            var latest = newest.Max(n => n.End);
            return newest.Where(n => n.End >= latest - TimeSpan.FromMinutes(3))
                .Select(n => TimeSpan.FromSeconds(n.Seconds) + (now - n.End))
                .OrderBy(a => a)
                .ToList();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Stack {Stack}: instance ages unknown: {Reason}", stackName, redactor.Redact(MetricsHttp.Describe(ex)));
            return null;
        }
    }
}
