using System.Globalization;
using AiLbAutoscaler.Simulation.Scoring;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>The HTML report's score columns, as text (every column of the console's table, which picks some to fit).</summary>
public static class ScoreColumns
{
    public static IReadOnlyList<string> Headers { get; } =
        ["policy", "feasible att.", "raw att.", "viol. min", "inst-hours", "vs oracle", "resizes", "dir. changes", "TTFT p50/p95/p99 ms", "E2E p95 ms", "peak", "served", "dropped", "recovery s"];

    public static IReadOnlyList<string> Cells(Scorecard s) =>
    [
        s.Policy,
        (s.FeasibleAttainment * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %",
        (s.SloAttainment * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %",
        s.ViolationMinutes.ToString(CultureInfo.InvariantCulture),
        s.InstanceHours.ToString("0.0", CultureInfo.InvariantCulture),
        s.CostVsOracle is double c ? c.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–",
        s.Resizes.ToString(CultureInfo.InvariantCulture),
        s.DirectionChanges.ToString(CultureInfo.InvariantCulture),
        $"{Ms(s.TtftP50Ms)} / {Ms(s.TtftP95Ms)} / {Ms(s.TtftP99Ms)}",
        Ms(s.E2eP95Ms),
        s.PeakInstances.ToString(CultureInfo.InvariantCulture),
        s.Served.ToString("N0", CultureInfo.InvariantCulture),
        s.Dropped.ToString("N0", CultureInfo.InvariantCulture),
        Recovery(s),
    ];

    /// <summary>The slowest recovery from a load event in seconds: "–" without events, "never" when one did not recover.</summary>
    public static string Recovery(Scorecard s) => s.WorstRecoverySeconds switch
    {
        null => "–",
        double x when double.IsInfinity(x) => "never",
        double x => x.ToString("0", CultureInfo.InvariantCulture),
    };

    private static string Ms(double v) => double.IsNaN(v) ? "–" : double.IsInfinity(v) ? "∞" : v.ToString("0", CultureInfo.InvariantCulture);
}
