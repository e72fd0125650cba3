namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>The HPA on the server's queue, the way GKE's LLM-inference guidance sets it up.</summary>
public sealed class HpaQueueOptions : IPolicyOptions
{
    /// <summary>
    /// The AverageValue target of requests waiting per instance (vLLM <c>num_requests_waiting</c>). GKE's guidance: start
    /// at 3–5 and raise it until latency reaches the goal; 5 is the top of that starting range.
    /// </summary>
    public double QueueTarget { get; set; } = 5;

    /// <summary>Tolerance, stabilization, scale-up limits and sync period: the HPA's own defaults.</summary>
    public HpaOptions Hpa { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        if (!(QueueTarget > 0) || !double.IsFinite(QueueTarget))
        {
            yield return $"HpaQueue: QueueTarget must be more than 0 (was {QueueTarget}).";
        }

        foreach (var e in (Hpa ?? new()).Validate())
        {
            yield return "HpaQueue: " + e;
        }
    }
}

/// <summary>
/// The Kubernetes HPA on a Pods metric with an AverageValue target: requests waiting per instance (the queue, not the
/// batch), as GKE recommends for LLM servers (a Prometheus gauge through the metrics adapter; KEDA's Prometheus scaler
/// computes the same ⌈total / target⌉). The replica calculation is the HPA's (<see cref="HpaAlgorithm"/>); it reads the
/// same per-instance gauges as every policy (<see cref="Monitoring.ObservationPipeline.TryInstanceGauges"/>).
/// </summary>
public sealed class HpaQueuePolicy(HpaQueueOptions options, int initialSize, int maxSize) : ISimPolicy
{
    public const string PolicyName = "hpa-queue";

    private readonly HpaAlgorithm _hpa = new(options.Hpa, maxSize);

    public string Name => PolicyName;

    public double TickSeconds => options.Hpa.TickSeconds;

    public int InitialSize { get; } = initialSize;

    public void Tick(ISimulatedGroup group)
    {
        if (group.Metrics.TryInstanceGauges(group.Now, out var gauges))
        {
            _hpa.Tick(group, gauges.WaitingPerInstance, options.QueueTarget, gauges.Reporting);
        }
    }
}
