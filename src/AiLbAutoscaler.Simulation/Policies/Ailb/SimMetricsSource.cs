using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Simulation.Policies.Ailb;

/// <summary>
/// A stand-in for the product's metrics source: Cloud Monitoring's latest visible minute of each signal, stamped with the
/// end of the minute it describes, and the instance ages (as <c>instance/uptime</c> would give them). A minute in which no
/// request finished has no latency value: the reading is missing, never zero.
/// Where the servers' metrics are on, <c>gpu_utilization</c>, <c>queue_per_instance</c> and <c>request_rate</c> come as
/// the product's PromQL source gives them (docs/simulation.md lists the queries): from the newest readable scrape, the
/// means with their instance count (the signal's <c>CountQuery</c>), stamped with the evaluation time (now), as the
/// Prometheus reader stamps an instant query. Latency, 5xx and group size stay Cloud Monitoring's.
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
            if (!group.Metrics.HasServerMetrics)
            {
                readings.Add(SignalReading.Of(SignalNames.RequestRate, lb.RequestRate, at));
            }

            readings.Add(SignalReading.Of(SignalNames.ErrorRate5xx, lb.Dropped / 60.0, at));
        }
        else
        {
            readings.Add(SignalReading.Missing(SignalNames.LatencyP95Ms, "no load-balancer minute visible yet"));
            if (!group.Metrics.HasServerMetrics)
            {
                readings.Add(SignalReading.Missing(SignalNames.RequestRate, "no load-balancer minute visible yet"));
            }
        }

        if (group.Metrics.HasServerMetrics)
        {
            AddServerReadings(group, readings);
        }

        if (group.Metrics.TryLatestInstance(now, out var inst) && inst.Serving > 0 && double.IsFinite(inst.Utilization))
        {
            var at = At(inst.EndSeconds);
            if (!group.Metrics.HasServerMetrics)
            {
                // Means carry the number of instances they were taken over, as Cloud Monitoring's series count would.
                readings.Add(SignalReading.MeanOf(SignalNames.GpuUtilization, inst.Utilization, at, inst.Serving));
                readings.Add(SignalReading.MeanOf(SignalNames.QueuePerInstance, inst.QueuePerInstance, at, inst.Serving));
            }

            readings.Add(SignalReading.Of(SignalNames.GroupSize, inst.GroupSize, at));
        }
        else if (!group.Metrics.HasServerMetrics)
        {
            readings.Add(SignalReading.Missing(SignalNames.GpuUtilization, "no instance minute visible yet"));
            readings.Add(SignalReading.Missing(SignalNames.QueuePerInstance, "no instance minute visible yet"));
        }

        return Task.FromResult(new Observation(readings, group.InstanceAges()));
    }

    /// <summary>The PromQL signals, as instant queries evaluated now over the newest readable scrape.</summary>
    private static void AddServerReadings(ISimulatedGroup group, List<SignalReading> readings)
    {
        var now = At(group.Now);
        if (group.Metrics.TryScrapedGauges(group.Now, out var gauges))
        {
            readings.Add(SignalReading.MeanOf(SignalNames.GpuUtilization, gauges.Utilization, now, gauges.Reporting));
            readings.Add(SignalReading.MeanOf(SignalNames.QueuePerInstance, gauges.QueuePerInstance, now, gauges.Reporting));
        }
        else
        {
            // No serving instance was scraped: the vector is empty, which the Prometheus reader reads as missing.
            readings.Add(SignalReading.Missing(SignalNames.GpuUtilization, "no series: no serving instance scraped yet"));
            readings.Add(SignalReading.Missing(SignalNames.QueuePerInstance, "no series: no serving instance scraped yet"));
        }

        readings.Add(group.Metrics.TryServerRequestRate(group.Now, out var rate, out _)
            ? SignalReading.Of(SignalNames.RequestRate, rate, now)
            : SignalReading.Missing(SignalNames.RequestRate, "no series: less than one rate window scraped yet"));
        readings.Add(group.Metrics.TryServerPeakRate(group.Now, out var peak)
            ? SignalReading.Of(SignalNames.RequestRatePeak, peak, now)
            : SignalReading.Missing(SignalNames.RequestRatePeak, "no series: less than two scrapes yet"));
    }

    private static DateTimeOffset At(double seconds) => SimTimeProvider.Epoch.AddSeconds(seconds);
}
