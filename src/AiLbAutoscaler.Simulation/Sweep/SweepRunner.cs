using System.Diagnostics;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Policies.Ailb;
using AiLbAutoscaler.Simulation.Scoring;

namespace AiLbAutoscaler.Simulation.Sweep;

/// <summary>One run of a sweep: a policy at one setting of its knob (a label for tune's multi-knob settings).</summary>
public sealed record SweepPoint(string Policy, string Knob, double Setting, string Label, bool IsDefault, Scorecard Score);

/// <summary>
/// For one baseline: the cheapest setting whose feasible attainment is at least the reference's (ailb's default), its
/// instance-hours over the reference's; or, when no setting gets there, its best attainment.
/// </summary>
public sealed record SweepMatch(string Policy, SweepPoint? Cheapest, double? CostRatio, SweepPoint Best)
{
    /// <summary>The match of <paramref name="policy"/>'s points against an attainment and the instance-hours the ratio is taken to.</summary>
    public static SweepMatch Of(string policy, IEnumerable<SweepPoint> points, double attainment, double? referenceHours)
    {
        var own = points.Where(p => p.Policy == policy).ToList();
        var cheapest = Pareto.CheapestAtLeast(own, attainment);
        var best = own.OrderByDescending(p => p.Score.FeasibleAttainment).ThenBy(p => p.Score.InstanceHours).First();
        return new SweepMatch(policy, cheapest, cheapest is not null && referenceHours is > 0 ? cheapest.Score.InstanceHours / referenceHours : null, best);
    }
}

public sealed record SweepResult(
    string Trace,
    ulong Seed,
    double SloMs,
    double SloTarget,
    double SimSeconds,
    double WallSeconds,
    long Requests,
    Capacity Capacity,
    OraclePlan? Plan,
    IReadOnlyList<SweepPoint> Points,
    SweepPoint? Reference,
    IReadOnlyList<SweepMatch> Matches)
{
    /// <summary>Requests replayed per wall-second over every run of the sweep.</summary>
    public int MaxSize { get; init; } = int.MaxValue;

    /// <summary>The minutes that start a load event; every point's score has its recovery time for each.</summary>
    public IReadOnlyList<int> EventMinutes { get; init; } = [];

    public double RecoveryFloorSeconds { get; init; }

    public IReadOnlyList<string> MaxSizeWarnings() =>
        BacktestResult.MaxSizeWarningsFor(Capacity, Plan, MaxSize, Points.Select(p => ($"{p.Policy} ({p.Label})", p.Score.MaxSizeHits)));

    public double RequestsPerWallSecond => WallSeconds > 0 ? Requests * (double)Points.Count / WallSeconds : 0;

    public IReadOnlyList<string> Policies => [.. Points.Select(p => p.Policy).Distinct()];

    /// <summary>A policy's Pareto front (feasible attainment against instance-hours), cheapest first.</summary>
    public IReadOnlyList<SweepPoint> FrontOf(string policy) => Pareto.Front(Points.Where(p => p.Policy == policy));
}

/// <summary>The attainment-vs-cost front: points no other point beats on both (cheaper or equal and at least as good).</summary>
public static class Pareto
{
    public static IReadOnlyList<SweepPoint> Front(IEnumerable<SweepPoint> points)
    {
        var front = new List<SweepPoint>();
        var best = double.NegativeInfinity;
        foreach (var p in points.OrderBy(p => p.Score.InstanceHours).ThenByDescending(p => p.Score.FeasibleAttainment))
        {
            if (p.Score.FeasibleAttainment > best)
            {
                front.Add(p);
                best = p.Score.FeasibleAttainment;
            }
        }

        return front;
    }

    /// <summary>The cheapest point whose feasible attainment is at least <paramref name="attainment"/>, or null.</summary>
    public static SweepPoint? CheapestAtLeast(IEnumerable<SweepPoint> points, double attainment) =>
        points.Where(p => p.Score.FeasibleAttainment >= attainment - 1e-12)
            .OrderBy(p => p.Score.InstanceHours)
            .FirstOrDefault();
}

/// <summary>A planned run: which policy, which setting, built from the shared environment.</summary>
public sealed record SweepCase(string Policy, string Knob, double Setting, string Label, bool IsDefault, Func<PolicyEnvironment, ISimPolicy> Build);

/// <summary>
/// Runs each policy over its knob's grid on one trace, all runs in parallel on the available cores, sharing the trace's
/// profile, the calibration and the oracle's plan. Deterministic: every run is seeded by the trace and the policy name,
/// never by the order runs finish in.
/// </summary>
public static class SweepRunner
{
    public static SweepResult Run(BacktestRequest request, IReadOnlyDictionary<string, IReadOnlyList<double>>? grids = null)
    {
        var cases = new List<SweepCase>();
        foreach (var name in request.Policies)
        {
            if (SweepKnobs.Has(name))
            {
                var knob = SweepKnobs.For(name);
                var grid = grids is not null && grids.TryGetValue(name, out var g) ? g : knob.Grid;
                foreach (var x in grid)
                {
                    cases.Add(new SweepCase(name, knob.Knob, x, $"{knob.Knob} {x:0.###}", x == knob.Default,
                        env => env.Catalog.Create(name, knob.Apply(env, x))));
                }
            }
            else
            {
                cases.Add(new SweepCase(name, "", double.NaN, "(fixed)", true, env => env.Catalog.Create(name, env)));
            }
        }

        return Run(request, cases, AilbPolicy.PolicyName);
    }

    /// <summary>Runs the given cases; the reference is <paramref name="referencePolicy"/>'s default case, if it ran.</summary>
    public static SweepResult Run(BacktestRequest request, IReadOnlyList<SweepCase> cases, string referencePolicy)
    {
        var wall = Stopwatch.StartNew();
        var env = BacktestRunner.Prepare(request);
        var policies = cases.Select(c => c.Build(env)).ToList(); // a bad setting fails before any run
        var points = new SweepPoint[cases.Count];
        var events = LoadEvents.Detect(env.MinuteProfile);
        var done = 0;
        Parallel.For(0, cases.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.MaxParallelism), CancellationToken = request.Cancellation }, i =>
        {
            var c = cases[i];
            var result = Simulator.Run(request.Trace, policies[i], request.Options, new RunSettings { EndMinute = env.MinuteProfile.Length, Cancellation = request.Cancellation, EventMinutes = events });
            points[i] = new SweepPoint(c.Policy, c.Knob, c.Setting, c.Label, c.IsDefault, result.Score);
            request.Progress?.Invoke("sweep", Interlocked.Increment(ref done) / (double)cases.Count);
        });
        wall.Stop();

        var reference = points.FirstOrDefault(p => p.Policy == referencePolicy && p.IsDefault);
        var matches = new List<SweepMatch>();
        if (reference is not null)
        {
            foreach (var policy in points.Select(p => p.Policy).Distinct().Where(p => p != referencePolicy && SweepKnobs.Has(p)))
            {
                matches.Add(SweepMatch.Of(policy, points, reference.Score.FeasibleAttainment, reference.Score.InstanceHours));
            }
        }

        var requests = points.Length > 0 ? points[0].Score.Requests : 0;
        return new SweepResult(request.Trace.Name, request.Trace.Seed, request.Options.SloMs, request.Options.SloTarget, env.MinuteProfile.Length * 60.0,
            wall.Elapsed.TotalSeconds, requests, env.Capacity, env.OraclePlan, points, reference, matches)
        {
            MaxSize = request.Options.MaxSize,
            EventMinutes = events,
            RecoveryFloorSeconds = RecoveryFloor.Seconds(request.Options),
        };
    }
}
