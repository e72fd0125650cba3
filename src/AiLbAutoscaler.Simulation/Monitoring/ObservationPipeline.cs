namespace AiLbAutoscaler.Simulation.Monitoring;

/// <summary>The visibility delays of each signal source (docs/simulation.md, "Observation").</summary>
public sealed class ObservationOptions
{
    /// <summary>Cloud Monitoring's load-balancer metrics (latency, request count) become visible this long after their minute ends (GCP: up to 210 s).</summary>
    public double LoadBalancerDelaySeconds { get; set; } = 180;

    /// <summary>Cloud Monitoring's instance metrics (utilization, queue, group size) become visible this long after their minute ends (GCP: up to 240 s).</summary>
    public double InstanceDelaySeconds { get; set; } = 120;

    /// <summary>The servers' own metrics through Prometheus: scraped every few seconds, visible after a short ingest delay.</summary>
    public ServerMetricsOptions ServerMetrics { get; set; } = new();

    /// <summary>
    /// The longest a change can take to show in the fastest signal: a change at a minute's start shows when the minute
    /// closes (60 s) plus the quicker of the two delays.
    /// </summary>
    public double FastestVisibilitySeconds => ServerMetrics is { Enabled: true } server
        ? Math.Min(server.VisibilitySeconds, MinuteVisibilitySeconds)
        : MinuteVisibilitySeconds;

    private double MinuteVisibilitySeconds => 60 + Math.Min(LoadBalancerDelaySeconds, InstanceDelaySeconds);

    public IEnumerable<string> Validate(string path)
    {
        if (!(LoadBalancerDelaySeconds >= 0) || !(InstanceDelaySeconds >= 0))
        {
            yield return $"{path}: delays must be 0 or more seconds (were {LoadBalancerDelaySeconds}, {InstanceDelaySeconds}).";
        }

        foreach (var e in (ServerMetrics ?? new()).Validate(path + ":ServerMetrics"))
        {
            yield return e;
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
    private readonly NewestFirstRing<MinuteStats> _minutes = new(Capacity);
    private readonly NewestFirstRing<ScrapeSample> _scrapes = new(Capacity);

    public ObservationOptions Options { get; } = options;

    public void Add(in MinuteStats minute) => _minutes.Add(minute);

    /// <summary>The servers' own metrics are scraped (and every policy that can read them does).</summary>
    public bool HasServerMetrics => Options.ServerMetrics is { Enabled: true };

    public void AddScrape(in ScrapeSample sample) => _scrapes.Add(sample);

    /// <summary>The newest scrape a query can read at <paramref name="now"/> (scraped at least the ingest delay ago).</summary>
    public bool TryLatestScrape(double now, out ScrapeSample sample) => TryScrape(now - Options.ServerMetrics.IngestDelaySeconds, out sample);

    /// <summary>
    /// The servers' request rate at the newest readable scrape: the counter's increase over the rate window, per second
    /// (<c>sum(rate(http_requests_total[1m]))</c>; summed over the group, so an instance that leaves takes nothing with it).
    /// False until a full window has been scraped.
    /// </summary>
    public bool TryServerRequestRate(double now, out double rate, out ScrapeSample latest)
    {
        rate = double.NaN;
        if (!TryLatestScrape(now, out latest) || !TryScrape(latest.Time - Options.ServerMetrics.RateWindowSeconds, out var start) ||
            !(latest.Time > start.Time))
        {
            return false;
        }

        rate = (latest.Received - start.Received) / (latest.Time - start.Time);
        return true;
    }

    /// <summary>
    /// <c>request_rate_peak</c> at the newest readable scrape: over the scrapes of the last PeakWindowSeconds, the highest
    /// scrape-to-scrape count less PeakNoiseSigmas × √count, per second (floored at 0). False until two scrapes are readable.
    /// </summary>
    public bool TryServerPeakRate(double now, out double peak)
    {
        peak = double.NaN;
        if (!TryLatestScrape(now, out var latest))
        {
            return false;
        }

        var server = Options.ServerMetrics;
        var from = latest.Time - server.PeakWindowSeconds - 1e-9;
        var newer = latest;
        for (var i = 0; i < _scrapes.Count; i++)
        {
            var s = _scrapes.Newest(i);
            if (s.Time >= newer.Time)
            {
                continue; // the newest readable scrape itself, and those not readable yet
            }

            if (s.Time < from && !double.IsNaN(peak))
            {
                break;
            }

            var count = (double)(newer.Received - s.Received);
            var rate = Math.Max(0, count - server.PeakNoiseSigmas * Math.Sqrt(count)) / (newer.Time - s.Time);
            peak = double.IsNaN(peak) ? rate : Math.Max(peak, rate);
            newer = s;
        }

        return !double.IsNaN(peak);
    }

    /// <summary>
    /// The per-instance gauges a policy reads, from the fastest source there is: the newest readable scrape where the
    /// servers' metrics are on, else the newest visible minute of the instance metrics. Reporting = instances the mean
    /// is over. False when there is none yet, or it covers no serving instance.
    /// </summary>
    public bool TryInstanceGauges(double now, out InstanceGauges gauges)
    {
        if (HasServerMetrics)
        {
            if (TryScrapedGauges(now, out gauges))
            {
                return true;
            }
        }
        else if (TryLatestInstance(now, out var m) && m.Serving > 0 && double.IsFinite(m.Utilization))
        {
            gauges = new InstanceGauges(m.Utilization, m.QueuePerInstance, m.WaitingPerInstance, m.Serving, m.EndSeconds, FromServer: false);
            return true;
        }

        gauges = default;
        return false;
    }

    /// <summary>
    /// The gauges of the newest readable scrape, averaged over the scrapes of <see cref="ServerMetricsOptions.GaugeWindowSeconds"/>
    /// before it (those with serving instances); reporting is the newest scrape's instance count. False when none.
    /// </summary>
    public bool TryScrapedGauges(double now, out InstanceGauges gauges)
    {
        gauges = default;
        if (!TryLatestScrape(now, out var latest) || latest.Instances <= 0)
        {
            return false;
        }

        var from = latest.Time - Options.ServerMetrics.GaugeWindowSeconds - 1e-9;
        double utilization = 0, queue = 0, waiting = 0;
        var n = 0;
        for (var i = 0; i < _scrapes.Count; i++)
        {
            var s = _scrapes.Newest(i);
            if (s.Time > latest.Time || s.Instances <= 0)
            {
                continue;
            }

            if (s.Time < from)
            {
                break;
            }

            utilization += s.Utilization;
            queue += s.QueuePerInstance;
            waiting += s.WaitingPerInstance;
            n++;
        }

        gauges = new InstanceGauges(utilization / n, queue / n, waiting / n, latest.Instances, latest.Time, FromServer: true);
        return true;
    }

    private bool TryScrape(double at, out ScrapeSample sample)
    {
        for (var i = 0; i < _scrapes.Count; i++)
        {
            var s = _scrapes.Newest(i);
            if (s.Time <= at + 1e-9)
            {
                sample = s;
                return true;
            }
        }

        sample = default;
        return false;
    }

    /// <summary>The newest minute whose load-balancer metrics are visible at <paramref name="now"/>.</summary>
    public bool TryLatestLoadBalancer(double now, out MinuteStats minute) => TryLatest(now, Options.LoadBalancerDelaySeconds, out minute);

    /// <summary>The newest minute whose instance metrics are visible at <paramref name="now"/>.</summary>
    public bool TryLatestInstance(double now, out MinuteStats minute) => TryLatest(now, Options.InstanceDelaySeconds, out minute);

    public bool TryLatest(double now, double delay, out MinuteStats minute)
    {
        for (var i = 0; i < _minutes.Count; i++)
        {
            var m = _minutes.Newest(i);
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

/// <summary>Per-instance means as a policy sees them, and where they come from (a scrape, or a Cloud Monitoring minute).</summary>
public readonly record struct InstanceGauges(double Utilization, double QueuePerInstance, double WaitingPerInstance, int Reporting, double At, bool FromServer);

/// <summary>A fixed-size ring that keeps the newest items, read newest first: the pipeline's minutes and scrapes.</summary>
internal sealed class NewestFirstRing<T>(int capacity) where T : struct
{
    private readonly T[] _items = new T[capacity];
    private int _next;

    public int Count { get; private set; }

    public void Add(in T item)
    {
        _items[_next] = item;
        _next = (_next + 1) % _items.Length;
        Count = Math.Min(Count + 1, _items.Length);
    }

    /// <summary>The <paramref name="i"/>-th newest item (0: the newest); <paramref name="i"/> below <see cref="Count"/>.</summary>
    public T Newest(int i) => _items[(_next - 1 - i + _items.Length) % _items.Length];
}
