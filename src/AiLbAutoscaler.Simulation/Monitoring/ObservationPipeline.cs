namespace AiLbAutoscaler.Simulation.Monitoring;

/// <summary>The visibility delays of the monitoring system.</summary>
public sealed class ObservationOptions
{
    /// <summary>Load-balancer metrics (latency, request count) become visible this long after their minute ends (GCP: up to 210 s).</summary>
    public double LoadBalancerDelaySeconds { get; set; } = 180;

    /// <summary>Instance metrics (utilization, queue, group size) become visible this long after their minute ends (GCP: up to 240 s).</summary>
    public double InstanceDelaySeconds { get; set; } = 120;

    /// <summary>
    /// The longest a change can take to show in the fastest signal: a change at a minute's start shows when the minute
    /// closes (60 s) plus the quicker of the two delays.
    /// </summary>
    public double FastestVisibilitySeconds => 60 + Math.Min(LoadBalancerDelaySeconds, InstanceDelaySeconds);

    public IEnumerable<string> Validate(string path)
    {
        if (!(LoadBalancerDelaySeconds >= 0) || !(InstanceDelaySeconds >= 0))
        {
            yield return $"{path}: delays must be 0 or more seconds (were {LoadBalancerDelaySeconds}, {InstanceDelaySeconds}).";
        }
    }
}

/// <summary>
/// The closed minutes, newest last, of which a policy may read only those already visible. Keeps a bounded ring, so its
/// memory does not grow with the trace.
/// </summary>
public sealed class ObservationPipeline(ObservationOptions options)
{
    private const int Capacity = 64;
    private readonly MinuteStats[] _ring = new MinuteStats[Capacity];
    private int _count;
    private int _next;

    public ObservationOptions Options { get; } = options;

    public void Add(in MinuteStats minute)
    {
        _ring[_next] = minute;
        _next = (_next + 1) % Capacity;
        _count = Math.Min(_count + 1, Capacity);
    }

    /// <summary>The newest minute whose load-balancer metrics are visible at <paramref name="now"/>.</summary>
    public bool TryLatestLoadBalancer(double now, out MinuteStats minute) => TryLatest(now, Options.LoadBalancerDelaySeconds, out minute);

    /// <summary>The newest minute whose instance metrics are visible at <paramref name="now"/>.</summary>
    public bool TryLatestInstance(double now, out MinuteStats minute) => TryLatest(now, Options.InstanceDelaySeconds, out minute);

    public bool TryLatest(double now, double delay, out MinuteStats minute)
    {
        for (var i = 1; i <= _count; i++)
        {
            var m = _ring[(_next - i + Capacity) % Capacity];
            if (m.EndSeconds + delay <= now + 1e-9)
            {
                minute = m;
                return true;
            }
        }

        minute = default;
        return false;
    }
}
