namespace AiLbAutoscaler.Simulation.Monitoring;

/// <summary>
/// The servers' own metrics, scraped by Prometheus (Google Cloud Managed Service for Prometheus, or any Prometheus) from
/// each serving instance's <c>/metrics</c>: gauges of requests running and waiting, and the HTTP request counter.
/// </summary>
public sealed class ServerMetricsOptions
{
    /// <summary>
    /// On by default: the product reads PromQL (docs/metrics.md), vLLM exposes these gauges and counters, and GKE's LLM
    /// guidance scrapes them with GMP; off models a stack that reads Cloud Monitoring's system metrics only.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The scrape interval (GKE's LLM how-to's PodMonitoring: 15 s).</summary>
    public double ScrapeIntervalSeconds { get; set; } = 15;

    /// <summary>
    /// From a scrape to the sample being readable by a query. Google publishes no SLO; user-defined metrics are
    /// "readable within seconds" (llm-serving-and-gcp-facts.md §2b), so a small, assumed 10 s.
    /// </summary>
    public double IngestDelaySeconds { get; set; } = 10;

    /// <summary>The window of the request rate, as <c>rate(…[1m])</c>.</summary>
    public double RateWindowSeconds { get; set; } = 60;

    /// <summary>
    /// The gauges are averaged over the scrapes of this window, as <c>avg_over_time(…[w])</c> in the query; 0 reads the
    /// newest sample alone.
    /// </summary>
    public double GaugeWindowSeconds { get; set; }

    /// <summary><c>request_rate_peak</c> looks back this far for the highest scrape-to-scrape rate (the query's <c>[5m:15s]</c>).</summary>
    public double PeakWindowSeconds { get; set; } = 300;

    /// <summary>
    /// <c>request_rate_peak</c> counts a scrape interval's requests less this many standard deviations of a Poisson count
    /// (√count): the highest of twenty counts of a steady rate exceeds the mean by about two, so three leaves smooth
    /// traffic's peak at or under its mean and keeps a burst's height.
    /// </summary>
    public double PeakNoiseSigmas { get; set; } = 3;

    /// <summary>The longest from a change on the servers to a query seeing it: the next scrape plus the ingest delay.</summary>
    public double VisibilitySeconds => ScrapeIntervalSeconds + IngestDelaySeconds;

    public IEnumerable<string> Validate(string path)
    {
        if (!(ScrapeIntervalSeconds >= 1) || !(IngestDelaySeconds >= 0) || !(RateWindowSeconds >= ScrapeIntervalSeconds) || !(GaugeWindowSeconds >= 0) ||
            !double.IsFinite(ScrapeIntervalSeconds + IngestDelaySeconds + RateWindowSeconds + GaugeWindowSeconds))
        {
            yield return $"{path}: ScrapeIntervalSeconds must be 1 or more, IngestDelaySeconds 0 or more and RateWindowSeconds at least the scrape interval, GaugeWindowSeconds 0 or more " +
                         $"(were {ScrapeIntervalSeconds}, {IngestDelaySeconds}, {RateWindowSeconds}, {GaugeWindowSeconds}).";
        }

        if (!(PeakWindowSeconds >= ScrapeIntervalSeconds) || !(PeakNoiseSigmas >= 0) || !double.IsFinite(PeakWindowSeconds + PeakNoiseSigmas))
        {
            yield return $"{path}: PeakWindowSeconds must be at least the scrape interval and PeakNoiseSigmas 0 or more (were {PeakWindowSeconds}, {PeakNoiseSigmas}).";
        }
    }
}

/// <summary>
/// One scrape of every serving instance, summed over the group: instances scraped (the series a <c>count(…)</c> sees),
/// mean batch occupancy (running / batch size), requests running and waiting, and the servers' request counter.
/// </summary>
public readonly record struct ScrapeSample(double Time, int Instances, double Utilization, long Running, long Waiting, long Received)
{
    /// <summary>In the batch plus waiting, per instance: <c>avg(vllm:num_requests_waiting + vllm:num_requests_running)</c>.</summary>
    public double QueuePerInstance => Instances > 0 ? (Running + Waiting) / (double)Instances : double.NaN;

    /// <summary><c>avg(vllm:num_requests_waiting)</c>.</summary>
    public double WaitingPerInstance => Instances > 0 ? Waiting / (double)Instances : double.NaN;
}
