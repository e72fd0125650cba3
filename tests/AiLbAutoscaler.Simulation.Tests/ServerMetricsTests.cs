using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Simulation.Monitoring;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Policies.Ailb;
using AiLbAutoscaler.Simulation.Scoring;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary>Issue 12: the servers' own metrics scraped by Prometheus, a faster source every policy that can read it reads.</summary>
[Trait("Area", "Simulation")]
public sealed class ServerMetricsTests
{
    [Fact]
    public void A_scrape_is_readable_only_after_the_ingest_delay_and_the_rate_is_the_counters_increase_over_the_window()
    {
        var pipeline = new ObservationPipeline(new ObservationOptions()); // scrape 15 s, ingest 10 s, window 60 s
        for (var i = 0; i <= 8; i++)
        {
            // 3 instances; the counter grows by 300 per 15 s scrape (20 req/s) until 60 s, then by 1,500 (100 req/s).
            var t = i * 15.0;
            var received = i <= 4 ? 300L * i : 1200 + 1500L * (i - 4);
            pipeline.AddScrape(new ScrapeSample(t, 3, 0.5, 48, 12, received));
        }

        // At 129 s the newest readable scrape is the one at 105 s (120 + 10 > 129); its window starts at 45 s.
        Assert.True(pipeline.TryLatestScrape(129, out var latest));
        Assert.Equal(105, latest.Time);
        Assert.True(pipeline.TryServerRequestRate(129, out var rate, out _));
        Assert.Equal((1200 + 1500 * 3 - 900) / 60.0, rate, 9); // (4,800 − 900) / 60 s = 65 req/s

        Assert.True(pipeline.TryInstanceGauges(129, out var gauges));
        Assert.True(gauges.FromServer);
        Assert.Equal(3, gauges.Reporting);
        Assert.Equal(20, gauges.QueuePerInstance, 9); // (48 running + 12 waiting) / 3
        Assert.Equal(4, gauges.WaitingPerInstance, 9);

        // Before one full window has been scraped there is no rate, and before the first ingest nothing at all.
        Assert.False(pipeline.TryServerRequestRate(50, out _, out _));
        var empty = new ObservationPipeline(new ObservationOptions());
        empty.AddScrape(new ScrapeSample(0, 3, 0.5, 48, 12, 0));
        Assert.False(empty.TryLatestScrape(9, out _));
        Assert.True(empty.TryLatestScrape(10, out _));
    }

    [Fact]
    public void The_peak_rate_is_the_highest_scrape_to_scrape_count_of_the_window_less_its_counting_noise()
    {
        var pipeline = new ObservationPipeline(new ObservationOptions()); // scrape 15 s, ingest 10 s, peak window 300 s, 3 sigmas
        long received = 0;
        pipeline.AddScrape(new ScrapeSample(0, 3, 0.5, 0, 0, received));
        received += 8100; // a burst: 8,100 requests between the scrapes at 0 s and 15 s
        pipeline.AddScrape(new ScrapeSample(15, 3, 0.5, 0, 0, received));
        for (var t = 30; t <= 330; t += 15)
        {
            received += t == 180 ? 2500 : 400; // a steady 400 per scrape, and one burst of 2,500 in the scrape at 180 s
            pipeline.AddScrape(new ScrapeSample(t, 3, 0.5, 0, 0, received));
        }

        // At 190 s (newest readable: 180 s) both bursts are in the 300 s window: (8,100 − 3 × √8,100) / 15 = 522 req/s.
        Assert.True(pipeline.TryServerPeakRate(190, out var atBurst));
        Assert.Equal((8100 - 270) / 15.0, atBurst, 9);

        // At 330 s (newest readable: 315 s, window from 15 s) the 0–15 s burst has left it; the 2,500 at 180 s has not:
        // (2,500 − 3 × √2,500) / 15 = 156.67 req/s. The scrape at 330 s is not readable before 340 s.
        Assert.True(pipeline.TryServerPeakRate(330, out var later));
        Assert.Equal(2350 / 15.0, later, 9);
        Assert.True(pipeline.TryServerPeakRate(340, out var still));
        Assert.Equal(2350 / 15.0, still, 9);

        // Without the burst, steady counts of 400 read (400 − 60) / 15 = 22.67 req/s, under their mean of 26.67: noise is
        // not a burst. And before two scrapes are readable there is no peak.
        var steady = new ObservationPipeline(new ObservationOptions());
        for (var t = 0; t <= 120; t += 15)
        {
            steady.AddScrape(new ScrapeSample(t, 3, 0.5, 0, 0, 400L * t / 15));
        }

        Assert.True(steady.TryServerPeakRate(130, out var calm));
        Assert.Equal(340 / 15.0, calm, 9);
        Assert.False(steady.TryServerPeakRate(20, out _));

        // At 0 sigmas it is the plain highest 15 s rate.
        var raw = new ObservationPipeline(new ObservationOptions { ServerMetrics = { PeakNoiseSigmas = 0 } });
        raw.AddScrape(new ScrapeSample(0, 3, 0.5, 0, 0, 0));
        raw.AddScrape(new ScrapeSample(15, 3, 0.5, 0, 0, 2500));
        Assert.True(raw.TryServerPeakRate(25, out var plain));
        Assert.Equal(2500 / 15.0, plain, 9);
    }

    [Theory]
    [InlineData(10, 3)]
    [InlineData(300, -1)]
    [InlineData(double.NaN, 3)]
    public void A_bad_peak_window_or_noise_setting_is_named(double window, double sigmas)
    {
        var errors = new ObservationOptions { ServerMetrics = { PeakWindowSeconds = window, PeakNoiseSigmas = sigmas } }.Validate("Simulation:Observation").ToList();
        var error = Assert.Single(errors);
        Assert.StartsWith("Simulation:Observation:ServerMetrics: PeakWindowSeconds must be at least the scrape interval and PeakNoiseSigmas 0 or more", error);
    }

    [Fact]
    public void A_gauge_window_averages_the_scrapes_in_it_and_zero_reads_the_newest_alone()
    {
        foreach (var (window, expected) in new[] { (0.0, 30.0), (30.0, 20.0) })
        {
            var pipeline = new ObservationPipeline(new ObservationOptions { ServerMetrics = { GaugeWindowSeconds = window } });
            pipeline.AddScrape(new ScrapeSample(0, 2, 0.1, 0, 0, 0));   // outside a 30 s window at 45 s
            pipeline.AddScrape(new ScrapeSample(15, 2, 0.1, 20, 0, 0)); // 10 per instance
            pipeline.AddScrape(new ScrapeSample(30, 2, 0.2, 40, 0, 0)); // 20
            pipeline.AddScrape(new ScrapeSample(45, 4, 0.3, 120, 0, 0)); // 30, the newest readable at 55 s
            pipeline.AddScrape(new ScrapeSample(60, 4, 0.9, 400, 0, 0)); // not readable yet

            Assert.True(pipeline.TryScrapedGauges(55, out var g));
            Assert.Equal(expected, g.QueuePerInstance, 9);
            Assert.Equal(4, g.Reporting);
        }
    }

    [Fact]
    public async Task Ailb_reads_the_scraped_gauges_and_the_servers_counter_under_the_promql_signal_names()
    {
        var group = new FakeGroup(130, 4, 4, double.NaN, visible: false, serverMetrics: true);
        group.Metrics.AddScrape(new ScrapeSample(60, 4, 0.75, 96, 40, 0));
        group.Metrics.AddScrape(new ScrapeSample(120, 4, 0.75, 96, 40, 6000));
        var source = new SimMetricsSource { Group = group };

        var readings = (await source.ObserveAsync("sim", CancellationToken.None)).Signals.ToDictionary(r => r.Signal);

        var now = SimTimeProvider.Epoch.AddSeconds(130); // an instant query is stamped with its evaluation time
        Assert.Equal(0.75, readings[SignalNames.GpuUtilization].Value);
        Assert.Equal(4, readings[SignalNames.GpuUtilization].Instances);
        Assert.Equal(34, readings[SignalNames.QueuePerInstance].Value);   // (96 + 40) / 4
        Assert.Equal(4, readings[SignalNames.QueuePerInstance].Instances);
        Assert.Equal(now, readings[SignalNames.QueuePerInstance].ObservedAt);
        Assert.Equal(100, readings[SignalNames.RequestRate].Value);       // 6,000 over 60 s
        Assert.Equal(now, readings[SignalNames.RequestRate].ObservedAt);
        Assert.False(readings[SignalNames.LatencyP95Ms].HasValue);        // the LB's minute is not visible yet
    }

    [Fact]
    public void Hpa_and_gce_read_the_scraped_gauge_where_the_servers_metrics_are_on()
    {
        // The per-minute metrics say 0.6 (on target); the newest scrape says 0.9: only the scrape moves them.
        foreach (var (policy, expected) in new (ISimPolicy, int)[] { (new HpaPolicy(new HpaOptions(), 10, 100), 15), (new GcePolicy(new GceOptions(), 10, 100), 15) })
        {
            var group = new FakeGroup(600, 10, 10, 0.6, serverMetrics: true);
            group.Metrics.AddScrape(new ScrapeSample(585, 10, 0.9, 288, 0, 0));
            policy.Tick(group);
            Assert.Equal([expected], group.Resizes); // ⌈10 × 0.9 / 0.6⌉
        }
    }

    [Fact]
    public void The_servers_counter_sees_the_requests_a_full_server_rejects_and_the_floor_uses_the_scrape()
    {
        // One instance, 100 req/s: most requests are answered 503 by the full server, but its counter counts them all.
        var path = TempFiles.Minutes(6000, 6000, 6000, 6000);
        var probe = new RateProbe();
        var options = new SimulationOptions();
        var score = Simulator.Run(TraceSpec.FromFile(path, 1, 3), probe, options, new RunSettings { EndMinute = 4 }).Score;

        Assert.True(score.Dropped > score.Requests / 2, $"{score.Dropped} of {score.Requests} dropped");
        Assert.InRange(probe.Rates[^1], 90, 110);
        Assert.Equal(15 + 10 + 60 + 180, RecoveryFloor.Seconds(options));
        Assert.Equal(60 + 120 + 60 + 180, RecoveryFloor.Seconds(new SimulationOptions { Observation = { ServerMetrics = { Enabled = false } } }));
        Assert.Equal(15, options.ControllerTick);
        Assert.Equal(60, new SimulationOptions { Observation = { ServerMetrics = { Enabled = false } } }.ControllerTick);
    }

    private sealed class RateProbe : ISimPolicy
    {
        public List<double> Rates { get; } = [];

        public string Name => "probe";

        public double TickSeconds => 15;

        public int InitialSize => 1;

        public void Tick(ISimulatedGroup group)
        {
            if (group.Metrics.TryServerRequestRate(group.Now, out var rate, out _))
            {
                Rates.Add(rate);
            }
        }
    }
}
