using System.Text.Json;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Policies.Ailb;

namespace AiLbAutoscaler.Simulation.Sweep;

/// <summary>One of issue 12's aims on one trace and seed: passed, failed, or not applicable (null), and why in numbers.</summary>
public sealed record AimVerdict(int Aim, string Name, bool? Passed, string Detail)
{
    public string Status => Passed switch { true => "pass", false => "fail", null => "n/a" };
}

/// <summary>
/// Issue 12's four aims, judged from one sweep (ailb at its default, the oracle, and every baseline over its grid):
/// (1) feasible attainment ≥ the SLO target where the oracle reaches it; (2) recovery from every load event within the
/// floor + 60 s; (3) instance-hours ≤ 0.9× the cheapest setting of each baseline that is at least as reliable, and
/// ≤ 1.25× the oracle's; (4) resizes and direction changes ≤ 1.5× the oracle's.
/// </summary>
public static class Aims
{
    public const double RecoverySlackSeconds = 60;
    public const double BaselineCostRatio = 0.9;
    public const double OracleCostRatio = 1.25;
    public const double CalmRatio = 1.5;

    /// <summary>The policies an aims run sweeps: ailb (its default only), the four baselines and the oracle.</summary>
    public static IReadOnlyList<string> Policies { get; } =
        [AilbPolicy.PolicyName, HpaPolicy.PolicyName, HpaQueuePolicy.PolicyName, GcePolicy.PolicyName, GceLbPolicy.PolicyName, OraclePolicy.PolicyName];

    /// <summary>Runs the sweep: ailb at its default only, each baseline over its grid, the oracle once.</summary>
    public static SweepResult Sweep(BacktestRequest request) =>
        SweepRunner.Run(request, new Dictionary<string, IReadOnlyList<double>> { [AilbPolicy.PolicyName] = [SweepKnobs.For(AilbPolicy.PolicyName).Default] });

    public static IReadOnlyList<AimVerdict> Judge(SweepResult sweep)
    {
        var ailb = sweep.Reference?.Score ?? throw new ArgumentException("The sweep has no run of ailb at its default.");
        var oracle = sweep.Points.FirstOrDefault(p => p.Policy == OraclePolicy.PolicyName)?.Score
                     ?? throw new ArgumentException("The sweep has no run of the oracle.");
        var target = sweep.SloTarget;
        var verdicts = new List<AimVerdict>();

        verdicts.Add(oracle.FeasibleAttainment >= target
            ? new AimVerdict(1, "reliability", ailb.FeasibleAttainment >= target,
                $"ailb {Pct(ailb.FeasibleAttainment)} against {Pct(target)} (the oracle reaches {Pct(oracle.FeasibleAttainment)})")
            : new AimVerdict(1, "reliability", null, $"the oracle reaches only {Pct(oracle.FeasibleAttainment)}, under {Pct(target)}"));

        var limit = sweep.RecoveryFloorSeconds + RecoverySlackSeconds;
        verdicts.Add(ailb.WorstRecoverySeconds is double worst
            ? new AimVerdict(2, "spikes", worst <= limit,
                $"slowest of {ailb.Recoveries.Count} event(s) (first at minute {ailb.Recoveries[0].Minute}): {Seconds(worst)} against floor {sweep.RecoveryFloorSeconds:0} s + {RecoverySlackSeconds:0} s")
            : new AimVerdict(2, "spikes", null, "no load event in the trace"));

        var parts = new List<string>();
        var cheap = true;
        foreach (var baseline in sweep.Policies.Where(p => p != AilbPolicy.PolicyName && SweepKnobs.Has(p)))
        {
            var match = SweepMatch.Of(baseline, sweep.Points, ailb.FeasibleAttainment, ailb.InstanceHours);
            if (match.Cheapest is { } c)
            {
                var ok = ailb.InstanceHours <= BaselineCostRatio * c.Score.InstanceHours + 1e-9;
                cheap &= ok;
                parts.Add($"{baseline} {c.Label} {Pct(c.Score.FeasibleAttainment)} at {c.Score.InstanceHours:0.0} h: ailb {ailb.InstanceHours / c.Score.InstanceHours:0.00}× {(ok ? "≤" : ">")} {BaselineCostRatio}");
            }
            else
            {
                parts.Add($"{baseline}: no setting reaches ailb's {Pct(ailb.FeasibleAttainment)} (best {Pct(match.Best.Score.FeasibleAttainment)})");
            }
        }

        var vsOracle = ailb.InstanceHours / oracle.InstanceHours;
        var underOracle = vsOracle <= OracleCostRatio + 1e-9;
        parts.Add($"oracle: ailb {vsOracle:0.00}× {(underOracle ? "≤" : ">")} {OracleCostRatio}");
        verdicts.Add(new AimVerdict(3, "cost", cheap && underOracle, string.Join("; ", parts)));

        var resizes = ailb.Resizes <= CalmRatio * oracle.Resizes + 1e-9;
        var reversals = ailb.DirectionChanges <= CalmRatio * oracle.DirectionChanges + 1e-9;
        verdicts.Add(new AimVerdict(4, "calm", resizes && reversals,
            $"resizes {ailb.Resizes} against the oracle's {oracle.Resizes} × {CalmRatio} = {CalmRatio * oracle.Resizes:0.#}; " +
            $"direction changes {ailb.DirectionChanges} against {oracle.DirectionChanges} × {CalmRatio} = {CalmRatio * oracle.DirectionChanges:0.#}"));
        return verdicts;
    }

    /// <summary>The aims as JSON: the run's inputs and each verdict (`ailb sweep --json` has every run).</summary>
    public static void WriteJson(SweepResult sweep, IReadOnlyList<AimVerdict> verdicts, Stream stream)
    {
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("trace", sweep.Trace);
            w.WriteNumber("seed", sweep.Seed);
            BacktestReport.Number(w, "slo_ms", sweep.SloMs);
            BacktestReport.Number(w, "slo_target", sweep.SloTarget);
            BacktestReport.Number(w, "recovery_floor_seconds", sweep.RecoveryFloorSeconds);
            w.WriteBoolean("all_passed", verdicts.All(v => v.Passed != false));
            w.WriteStartArray("aims");
            foreach (var v in verdicts)
            {
                w.WriteStartObject();
                w.WriteNumber("aim", v.Aim);
                w.WriteString("name", v.Name);
                w.WriteString("status", v.Status);
                w.WriteString("detail", v.Detail);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }
    }

    private static string Pct(double v) => (v * 100).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " %";

    private static string Seconds(double s) => double.IsInfinity(s) ? "never within the trace" : $"{s:0} s";
}
