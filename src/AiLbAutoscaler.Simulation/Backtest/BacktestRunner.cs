using System.Diagnostics;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Policies.Ailb;
using AiLbAutoscaler.Simulation.Scoring;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>What to run: one trace, the policies to compare, and every setting.</summary>
public sealed class BacktestRequest
{
    public required TraceSpec Trace { get; init; }

    public required IReadOnlyList<string> Policies { get; init; }

    public SimulationOptions Options { get; init; } = new();

    /// <summary>Every policy's options by config section (<c>Ailb</c>, <c>Hpa</c>, ...); a section not set reads as its defaults.</summary>
    public PolicySettings Settings { get; init; } = PolicySettings.Empty;

    /// <summary>Where the policies named in <see cref="Policies"/> come from.</summary>
    public PolicyCatalog Catalog { get; init; } = PolicyCatalog.Default;

    public bool RecordTimeline { get; init; }

    /// <summary>Keep the controller's instruments (sizes, signals) on the simulated clock, for the HTML report.</summary>
    public bool RecordInstruments { get; init; }

    /// <summary>
    /// Called with a policy name and its fraction done (from several threads when policies run in parallel); first with
    /// <see cref="Calibration.ProgressName"/> while the static size is searched.
    /// </summary>
    public Action<string, double>? Progress { get; init; }

    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Called with the trace's requests per minute before anything runs; it may throw to refuse the run (too long).</summary>
    public Action<double[]>? BeforeRun { get; init; }

    public CancellationToken Cancellation { get; init; }
}

public sealed record PolicyRun(Scorecard Score, IReadOnlyList<TimelineRow> Timeline, IReadOnlyList<InstrumentPoint>? Instruments = null);

public sealed record BacktestResult(
    string Trace,
    ulong Seed,
    double SloMs,
    double SimSeconds,
    double WallSeconds,
    long Requests,
    Capacity Capacity,
    IReadOnlyList<PolicyRun> Runs)
{
    /// <summary>The oracle's per-minute plan (how many load levels, whether one needed more than MaxSize).</summary>
    public OraclePlan? Plan { get; init; }

    /// <summary>The simulation's MaxSize.</summary>
    public int MaxSize { get; init; } = int.MaxValue;

    /// <summary>Every MaxSize hit in words: the calibration's, the oracle plan's and each policy's. Empty when none.</summary>
    public IReadOnlyList<string> MaxSizeWarnings() =>
        MaxSizeWarningsFor(Capacity, Plan, MaxSize, Runs.Select(r => (r.Score.Policy, r.Score.MaxSizeHits)));

    /// <summary>The calibration's, the oracle plan's and each run's MaxSize hits, in words.</summary>
    public static IReadOnlyList<string> MaxSizeWarningsFor(Capacity capacity, OraclePlan? plan, int maxSize, IEnumerable<(string Run, int Hits)> runs)
    {
        var warnings = new List<string>();
        if (capacity.HitMaxSize)
        {
            warnings.Add($"calibration hit MaxSize: even {maxSize} instances did not meet the SLO at the busiest minute ({capacity.BusiestRequestsPerSecond:0.#} req/s), so the static size and the per-instance rate ({capacity.RequestsPerInstancePerSecond:0.###} req/s) are floors, not measurements");
        }

        if (plan is { HitMaxSize: true })
        {
            warnings.Add($"the oracle's plan hit MaxSize: some minutes need more than {maxSize} instances");
        }

        foreach (var (run, hits) in runs.Where(r => r.Hits > 0))
        {
            warnings.Add($"{run} asked for MaxSize ({maxSize}) or more {hits} time(s)");
        }

        return warnings;
    }

    /// <summary>Minutes the trace marks as gaps (unknown); the replay held the previous known minute's rate through them.</summary>
    public int GapMinutes { get; init; }

    /// <summary>Requests replayed (over every policy's run) per wall-clock second of the whole backtest.</summary>
    public double RequestsPerWallSecond => WallSeconds > 0 ? Requests * (double)Runs.Count / WallSeconds : 0;

    public double RateScale { get; init; } = 1;

    /// <summary>The minutes that start a load event (<see cref="LoadEvents"/>); each result has its recovery time for each.</summary>
    public IReadOnlyList<int> EventMinutes { get; init; } = [];

    /// <summary>The physical floor of a recovery (<see cref="RecoveryFloor"/>).</summary>
    public double RecoveryFloorSeconds { get; init; }

    /// <summary>The trace file replayed; null for a built-in scenario.</summary>
    public string? TracePath { get; init; }

    /// <summary>The calibration stopped at <see cref="MaxSize"/>: the static fleet may be too small for the busiest minute.</summary>
    public bool CalibrationAtMaxSize => Capacity.HitMaxSize || Capacity.StaticSize >= MaxSize;

    /// <summary>The policies whose fleet reached <see cref="MaxSize"/> at some minute.</summary>
    public IReadOnlyList<string> AtMaxSize => [.. Runs.Where(r => MaxSize > 0 && r.Score.PeakInstances >= MaxSize).Select(r => r.Score.Policy)];
}

/// <summary>Runs policies side by side on the same trace and seed, in parallel where cores allow.</summary>
public static class BacktestRunner
{
    public static BacktestResult Run(BacktestRequest request)
    {
        var wall = Stopwatch.StartNew();
        var env = Prepare(request);
        var profile = env.MinuteProfile;
        var capacity = env.Capacity;

        // Build every policy first, so a bad setting fails before any run starts.
        var policies = request.Policies.Select(name => env.Catalog.Create(name, env)).ToList();
        var events = LoadEvents.Detect(profile);
        var runs = new PolicyRun[policies.Count];
        Parallel.For(0, policies.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.MaxParallelism), CancellationToken = request.Cancellation }, i =>
        {
            var policy = policies[i];
            var settings = new RunSettings
            {
                EndMinute = profile.Length,
                RecordTimeline = request.RecordTimeline,
                Progress = request.Progress is { } p ? f => p(policy.Name, f) : null,
                Cancellation = request.Cancellation,
                EventMinutes = events,
            };
            try
            {
                var result = Simulator.Run(request.Trace, policy, request.Options, settings);
                runs[i] = new PolicyRun(result.Score, result.Timeline, (policy as AilbPolicy)?.Instruments);
            }
            finally
            {
                (policy as IDisposable)?.Dispose();
            }
        });

        wall.Stop();
        var oracle = runs.FirstOrDefault(r => r.Score.Policy == OraclePolicy.PolicyName)?.Score.InstanceHours;
        var scored = runs
            .Select(r => r with { Score = r.Score with { CostVsOracle = oracle is > 0 ? r.Score.InstanceHours / oracle : null } })
            .ToList();
        var requests = scored.Count > 0 ? scored[0].Score.Requests : 0;
        return new BacktestResult(request.Trace.Name, request.Trace.Seed, request.Options.SloMs, profile.Length * 60.0,
            wall.Elapsed.TotalSeconds, requests, capacity, scored) 
        {
            Plan = env.OraclePlan,
            MaxSize = request.Options.MaxSize,
            GapMinutes = request.Trace.GapMinutes(),
            RateScale = request.Trace.RateScale,
            TracePath = request.Trace.Path,
            EventMinutes = events,
            RecoveryFloorSeconds = RecoveryFloor.Seconds(request.Options),
        };
    }

    /// <summary>
    /// Validates the settings and builds what every run on the trace shares: the per-minute profile, the calibration and
    /// the oracle's plan (computed once; a sweep reuses it for every setting).
    /// </summary>
    public static PolicyEnvironment Prepare(BacktestRequest request)
    {
        var errors = request.Options.Validate().Concat(request.Settings.Validate()).ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors));
        }

        var profile = request.Trace.MinuteProfile();
        if (!profile.Any(m => m > 0))
        {
            throw new ArgumentException(profile.Length == 0
                ? $"The trace {request.Trace.Name} holds no requests."
                : $"The trace {request.Trace.Name} holds no requests ({profile.Length} minutes, all zero).");
        }

        request.BeforeRun?.Invoke(profile);
        var capacity = Calibration.Run(request.Trace, profile, request.Options,
            request.Progress is { } report ? f => report(Calibration.ProgressName, f) : null);
        var plan = OraclePlan.Build(request.Trace, profile, capacity, request.Options, request.MaxParallelism, request.Cancellation);
        return new PolicyEnvironment
        {
            Options = request.Options,
            MinuteProfile = profile,
            Capacity = capacity,
            OraclePlan = plan,
            Seed = request.Trace.Seed,
            Settings = request.Settings,
            Catalog = request.Catalog,
            RecordInstruments = request.RecordInstruments,
        };
    }
}
