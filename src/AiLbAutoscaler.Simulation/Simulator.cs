using System.Diagnostics;
using AiLbAutoscaler.Simulation.Fleet;
using AiLbAutoscaler.Simulation.Monitoring;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Scoring;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation;

/// <summary>How one run is set up, beyond the trace, the policy and the options.</summary>
public sealed class RunSettings
{
    /// <summary>The first minute replayed.</summary>
    public int FromMinute { get; init; }

    /// <summary>The minute the trace ends (exclusive): policies stop and billing stops there.</summary>
    public required int EndMinute { get; init; }

    /// <summary>Keep one row per minute (the timeline CSV and chart); memory grows by one small row per minute.</summary>
    public bool RecordTimeline { get; init; }

    /// <summary>Called once per simulated minute with the fraction done.</summary>
    public Action<double>? Progress { get; init; }

    public CancellationToken Cancellation { get; init; }

    /// <summary>The minutes that start a load event (<see cref="LoadEvents"/>): each gets its recovery time in the score.</summary>
    public IReadOnlyList<int> EventMinutes { get; init; } = [];
}

public sealed record SimulationResult(Scorecard Score, IReadOnlyList<TimelineRow> Timeline);

/// <summary>
/// The discrete-event loop. Arrivals are pulled from the stream and merged with the event queue (completions, boots,
/// drains, minute closes, policy ticks, delayed actions), so the queue never holds future arrivals. Seeded and
/// single-threaded: the same inputs give the same result.
/// </summary>
public sealed class Simulator : ISimulatedGroup
{
    private readonly SimulationOptions _options;
    private readonly ISimPolicy _policy;
    private readonly RunSettings _settings;
    private readonly EventQueue _events = new();
    private readonly RequestLedger _ledger;
    private readonly SimFleet _fleet;
    private readonly Dictionary<int, Action> _callbacks = [];
    private readonly List<TimelineRow> _timeline = [];
    private int _nextCallback;
    private int _violationMinutes;
    private int _maxSizeHits;
    private readonly RecoveryTracker _recovery;

    private Simulator(SimulationOptions options, ISimPolicy policy, RunSettings settings, ulong seed)
    {
        _options = options;
        _policy = policy;
        _settings = settings;
        _ledger = new RequestLedger(options.SloMs, options.Instance.PrefillFixedMs, options.Instance.PrefillMsPerToken);
        _fleet = new SimFleet(options.Instance, options.Lifecycle, _events, _ledger, SimRandom.For(seed, "fleet:" + policy.Name));
        Metrics = new ObservationPipeline(options.Observation);
        _recovery = new RecoveryTracker(settings.EventMinutes, options.SloMs);
    }

    public double Now { get; private set; }

    public int TargetSize => _fleet.TargetSize;

    public int Serving => _fleet.ServingCount;

    public int Booting => _fleet.BootingCount;

    public ObservationPipeline Metrics { get; }

    public IReadOnlyList<TimeSpan> InstanceAges() => _fleet.InstanceAges(Now);

    public void Resize(int size)
    {
        if (size >= _options.MaxSize)
        {
            _maxSizeHits++;
        }

        _fleet.Resize(Math.Clamp(size, 0, _options.MaxSize), Now, exactBoot: _policy.ExactBoot);
    }

    public void At(double time, Action action)
    {
        var id = _nextCallback++;
        _callbacks[id] = action;
        _events.Schedule(new SimEvent { Time = Math.Max(time, Now), Kind = EventKind.Callback, Slot = id });
    }

    public static SimulationResult Run(TraceSpec trace, ISimPolicy policy, SimulationOptions options, RunSettings settings)
    {
        using var stream = trace.Open(settings.FromMinute, settings.EndMinute);
        return new Simulator(options, policy, settings, trace.Seed).Run(stream);
    }

    private SimulationResult Run(IArrivalStream stream)
    {
        var wall = Stopwatch.StartNew();
        var start = _settings.FromMinute * 60.0;
        var end = _settings.EndMinute * 60.0;
        Now = start;
        _fleet.BillingEnd = end;
        _fleet.AddWarm(Math.Min(_policy.InitialSize, _options.MaxSize), start);
        _events.Schedule(new SimEvent { Time = start + 60, Kind = EventKind.MinuteClose });
        _events.Schedule(new SimEvent { Time = start + _policy.TickSeconds, Kind = EventKind.PolicyTick });
        if (Metrics.HasServerMetrics)
        {
            Scrape(); // the warm group has been scraped before the trace starts
            _events.Schedule(new SimEvent { Time = start + _options.Observation.ServerMetrics.ScrapeIntervalSeconds, Kind = EventKind.Scrape });
        }

        var have = stream.TryNext(out var next);
        var checks = 0;
        while (true)
        {
            var eventTime = _events.PeekTime;
            if (have && next.Time < eventTime)
            {
                Now = next.Time;
                _fleet.Route(next, Now);
                have = stream.TryNext(out next);
                continue;
            }

            if (double.IsPositiveInfinity(eventTime))
            {
                break;
            }

            var e = _events.Dequeue();
            Now = e.Time;
            switch (e.Kind)
            {
                case EventKind.Completion:
                    _fleet.OnCompletion(e, Now);
                    break;
                case EventKind.BootDone:
                    _fleet.OnBootDone(e, Now);
                    break;
                case EventKind.DrainTimeout:
                    _fleet.OnDrainTimeout(e, Now);
                    break;
                case EventKind.MinuteClose:
                    CloseMinute(start, end);
                    if (Now < end || _fleet.InFlight > 0 || have)
                    {
                        _events.Schedule(new SimEvent { Time = Now + 60, Kind = EventKind.MinuteClose });
                    }

                    if ((++checks & 63) == 0)
                    {
                        _settings.Cancellation.ThrowIfCancellationRequested();
                    }

                    break;
                case EventKind.PolicyTick:
                    if (Now <= end)
                    {
                        _policy.Tick(this);
                        _events.Schedule(new SimEvent { Time = Now + _policy.TickSeconds, Kind = EventKind.PolicyTick });
                    }

                    break;
                case EventKind.Scrape:
                    if (Now <= end)
                    {
                        Scrape();
                        _events.Schedule(new SimEvent { Time = Now + _options.Observation.ServerMetrics.ScrapeIntervalSeconds, Kind = EventKind.Scrape });
                    }

                    break;
                case EventKind.Callback:
                    if (_callbacks.Remove(e.Slot, out var action) && Now <= end)
                    {
                        action();
                    }

                    break;
            }
        }

        _fleet.FinishBilling();
        wall.Stop();
        var l = _ledger;
        var score = new Scorecard(
            _policy.Name,
            l.Arrivals,
            l.Served,
            l.Dropped,
            l.Arrivals > 0 ? (double)l.WithinSlo / l.Arrivals : 1,
            _violationMinutes,
            _fleet.BilledSeconds / 3600,
            _fleet.Resizes,
            _fleet.DirectionChanges,
            l.Ttft.Percentile(0.50),
            l.Ttft.Percentile(0.95),
            l.Ttft.Percentile(0.99),
            l.E2e.Percentile(0.50),
            l.E2e.Percentile(0.95),
            l.E2e.Percentile(0.99),
            _fleet.Peak,
            end - start,
            wall.Elapsed.TotalSeconds)
        {
            FeasibleRequests = l.FeasibleArrivals,
            MaxSizeHits = _maxSizeHits + (_policy.InitialSize >= _options.MaxSize ? 1 : 0),
            Recoveries = _recovery.Results,
        };
        return new SimulationResult(score, _timeline);
    }

    /// <summary>Prometheus scrapes every serving instance's gauges and counters at once (one sample of the group).</summary>
    private void Scrape()
    {
        var serving = _fleet.ServingCount;
        var running = _fleet.RunningNow;
        Metrics.AddScrape(new ScrapeSample(Now, serving, serving > 0 ? running / (double)(serving * _options.Instance.BatchSize) : double.NaN,
            running, _fleet.WaitingNow, _fleet.Received));
    }

    private void CloseMinute(double start, double end)
    {
        var (utilization, queue, waiting) = _fleet.CloseMinute(Now);
        var minute = (int)Math.Round(Now / 60) - 1;
        var ttftP95 = _ledger.MinuteTtft.Percentile(0.95);
        var stats = new MinuteStats(
            minute,
            _ledger.MinuteArrivals,
            _ledger.MinuteCompleted,
            _ledger.MinuteDropped,
            ttftP95,
            _ledger.MinuteTtft.PercentileOfRecorded(0.95),
            _ledger.MinuteE2e.Percentile(0.95),
            utilization,
            queue,
            _fleet.TargetSize,
            _fleet.ServingCount,
            _fleet.BootingCount,
            _fleet.TargetSize,
            waiting);
        if (ttftP95 > _options.SloMs)
        {
            _violationMinutes++;
        }

        if (Now <= end)
        {
            _recovery.Minute(minute, ttftP95);
        }

        _ledger.ResetMinute();
        Metrics.Add(stats);
        if (_settings.RecordTimeline && Now <= end)
        {
            _timeline.Add(new TimelineRow(stats, _policy.Desired ?? _fleet.TargetSize));
        }

        _settings.Progress?.Invoke(Math.Clamp((Now - start) / Math.Max(1, end - start), 0, 1));
    }
}
