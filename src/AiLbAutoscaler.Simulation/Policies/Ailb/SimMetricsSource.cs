using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Simulation.Policies.Ailb;

/// <summary>
/// A stand-in for the Cloud Monitoring metrics source: the latest visible minute of each signal, stamped with the end of
/// the minute it describes, and the instance ages (as <c>instance/uptime</c> would give them). A minute in which no request
/// finished has no latency value: the reading is missing, never zero.
/// </summary>
internal sealed class SimMetricsSource : IMetricsSource
{
    public ISimulatedGroup? Group { get; set; }

    public Task<Observation> ObserveAsync(string stack, CancellationToken cancellationToken)
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
            // Means carry the number of instances they were taken over, as Cloud Monitoring's series count would.
            readings.Add(SignalReading.MeanOf(SignalNames.GpuUtilization, inst.Utilization, at, inst.Serving));
            readings.Add(SignalReading.MeanOf(SignalNames.QueuePerInstance, inst.QueuePerInstance, at, inst.Serving));
            readings.Add(SignalReading.Of(SignalNames.GroupSize, inst.GroupSize, at));
        }
        else
        {
            readings.Add(SignalReading.Missing(SignalNames.GpuUtilization, "no instance minute visible yet"));
            readings.Add(SignalReading.Missing(SignalNames.QueuePerInstance, "no instance minute visible yet"));
        }

        return Task.FromResult(new Observation(readings, group.InstanceAges()));
    }

    private static DateTimeOffset At(double seconds) => SimTimeProvider.Epoch.AddSeconds(seconds);
}
