using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Simulation.Policies.Ailb;

/// <summary>
/// A stand-in for the Cloud Monitoring metrics source: the latest visible minute of each signal, stamped with the end of
/// the minute it describes, and the instance ages (as <c>instance/uptime</c> would give them). A minute in which no request
/// finished has no latency value: the reading is missing, never zero.
/// </summary>
internal sealed class SimMetricsSource(IReadOnlyList<ISignalDeriver> derivers) : IMetricsSource
{
    public ISimulatedGroup? Group { get; set; }

    public Task<global::AiLbAutoscaler.Core.Signals.Observation> ObserveAsync(string stack, CancellationToken cancellationToken)
    {
        var group = Group ?? throw new InvalidOperationException("The simulated metrics source has no group attached.");
        var readings = new List<SignalReading>(8);
        var now = group.Now;
        if (group.Metrics.TryLatestLoadBalancer(now, out var lb))
        {
            var at = At(lb.EndSeconds);
            readings.Add(double.IsFinite(lb.ServedTtftP95Ms)
                ? SignalReading.Of(SignalNames.LatencyP95Ms, lb.ServedTtftP95Ms, at)
                : SignalReading.Missing(SignalNames.LatencyP95Ms, $"no request finished in the minute ending {at:HH:mm}"));
            readings.Add(SignalReading.Of(SignalNames.RequestRate, lb.RequestRate, at));
            readings.Add(SignalReading.Of(SignalNames.ErrorRate5xx, lb.Dropped / 60.0, at));
        }
        else
        {
            readings.Add(SignalReading.Missing(SignalNames.LatencyP95Ms, "no load-balancer minute visible yet"));
            readings.Add(SignalReading.Missing(SignalNames.RequestRate, "no load-balancer minute visible yet"));
        }

        if (group.Metrics.TryLatestInstance(now, out var inst) && inst.Serving > 0 && double.IsFinite(inst.Utilization))
        {
            var at = At(inst.EndSeconds);
            readings.Add(SignalReading.Of(SignalNames.GpuUtilization, inst.Utilization, at));
            readings.Add(SignalReading.Of(SignalNames.QueuePerInstance, inst.QueuePerInstance, at));
            readings.Add(SignalReading.Of(SignalNames.GroupSize, inst.GroupSize, at));

            // Group sums (Cloud Monitoring's REDUCE_SUM instead of REDUCE_MEAN): with a PerInstance target they ask for
            // total / target, which does not multiply a minutes-old mean by today's serving count.
            readings.Add(SignalReading.Of(SimSignalNames.GpuUtilizationSum, inst.Utilization * inst.Serving, at));
            readings.Add(SignalReading.Of(SimSignalNames.QueueTotal, inst.QueuePerInstance * inst.Serving, at));
        }
        else
        {
            readings.Add(SignalReading.Missing(SignalNames.GpuUtilization, "no instance minute visible yet"));
            readings.Add(SignalReading.Missing(SignalNames.QueuePerInstance, "no instance minute visible yet"));
        }

        foreach (var d in derivers)
        {
            if (d.Derive(group, readings) is { } derived)
            {
                if (d is DemandForecaster { Pending: { } demand })
                {
                    readings.Add(demand);
                }

                readings.Add(derived);
            }
        }

        return Task.FromResult(new global::AiLbAutoscaler.Core.Signals.Observation(readings, group.InstanceAges()));
    }

    private static DateTimeOffset At(double seconds) => SimTimeProvider.Epoch.AddSeconds(seconds);
}

/// <summary>A signal computed from the observed ones (for example a forecast); it may keep history across ticks.</summary>
public interface ISignalDeriver
{
    SignalReading? Derive(ISimulatedGroup group, IReadOnlyList<SignalReading> observed);
}

/// <summary>Signals the simulated source adds beyond <see cref="SignalNames"/>.</summary>
public static class SimSignalNames
{
    /// <summary>Sum over serving instances of busy batch slots / B (the group's load in instance units).</summary>
    public const string GpuUtilizationSum = "gpu_utilization_sum";

    /// <summary>In-flight plus queued requests over the whole group.</summary>
    public const string QueueTotal = "queue_total";

    /// <summary>Request rate × learned utilization cost per request (see <see cref="DemandForecaster"/>).</summary>
    public const string Demand = "demand_utilization_sum";

    /// <summary>Demand × the seasonal growth expected within the lead time (never below demand).</summary>
    public const string DemandForecast = "demand_utilization_sum_forecast";
}
