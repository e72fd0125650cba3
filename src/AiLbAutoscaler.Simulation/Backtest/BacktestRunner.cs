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

    public ScalingPolicy? AilbPolicy { get; init; }


    public HpaOptions Hpa { get; init; } = new();

    public GceOptions Gce { get; init; } = new();

    public bool RecordTimeline { get; init; }

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

public sealed record PolicyRun(Scorecard Score, IReadOnlyList<TimelineRow> Timeline);

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
    /// <summary>Minutes the trace marks as gaps (unknown); the replay held the previous known minute's rate through them.</summary>
    public int GapMinutes { get; init; }

    /// <summary>Requests replayed (over every policy's run) per wall-clock second of the whole backtest.</summary>
    public double RequestsPerWallSecond => WallSeconds > 0 ? Requests * (double)Runs.Count / WallSeconds : 0;

    public double RateScale { get; init; } = 1;

    /// <summary>The trace file replayed; null for a built-in scenario.</summary>
    public string? TracePath { get; init; }

    /// <summary>The largest group any policy could ask for (Simulation:MaxSize).</summary>
    public int MaxSize { get; init; }

    /// <summary>The calibration stopped at <see cref="MaxSize"/>: the static fleet may be too small for the busiest minute.</summary>
    public bool CalibrationAtMaxSize => MaxSize > 0 && Capacity.StaticSize >= MaxSize;

    /// <summary>The policies whose fleet reached <see cref="MaxSize"/> at some minute.</summary>
    public IReadOnlyList<string> AtMaxSize => [.. Runs.Where(r => MaxSize > 0 && r.Score.PeakInstances >= MaxSize).Select(r => r.Score.Policy)];
}

/// <summary>Runs policies side by side on the same trace and seed, in parallel where cores allow.</summary>
public static class BacktestRunner
{
    public static BacktestResult Run(BacktestRequest request)
    {
        var errors = request.Options.Validate().Concat(request.Hpa.Validate()).Concat(request.Gce.Validate()).ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors));
        }

        var wall = Stopwatch.StartNew();
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
        var env = new PolicyEnvironment
        {
            Options = request.Options,
            MinuteProfile = profile,
            Capacity = capacity,
            Seed = request.Trace.Seed,
            AilbPolicy = request.AilbPolicy,
            Hpa = request.Hpa,
            Gce = request.Gce,
        };

        // Build every policy first, so a bad setting fails before any run starts.
        var policies = request.Policies.Select(name => PolicyCatalog.Create(name, env)).ToList();
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
            };
            var result = Simulator.Run(request.Trace, policy, request.Options, settings);
            runs[i] = new PolicyRun(result.Score, result.Timeline);
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
            RateScale = request.Trace.RateScale,
            TracePath = request.Trace.Path,
            MaxSize = request.Options.MaxSize,
                GapMinutes = request.Trace.GapMinutes(),
        };
    }
}
