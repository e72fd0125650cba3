using System.Globalization;
using AiLbAutoscaler.Simulation.Backtest;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>The one table both commands print.</summary>
internal static class ScoreTable
{
    public static Table Build(BacktestResult result)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{Markup.Escape(result.Trace)} · seed {result.Seed} · SLO {result.SloMs:0} ms TTFT · {result.SimSeconds / 3600:0.#} h simulated");
        foreach (var column in new[] { "policy", "feasible att.", "raw att.", "viol. min", "inst-hours", "vs oracle", "resizes", "dir. changes", "TTFT p50/p95/p99 ms", "E2E p95 ms", "peak", "served", "dropped" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var run in result.Runs)
        {
            var s = run.Score;
            table.AddRow(
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
                s.Dropped.ToString("N0", CultureInfo.InvariantCulture));
        }

        var feasible = result.Runs.Count > 0 ? result.Runs[0].Score.FeasibleShare : 1;
        var warnings = result.MaxSizeWarnings();
        table.Caption($"{result.Requests:N0} requests, {feasible * 100:0.0} % feasible (prefill alone within the SLO) · static size {result.Capacity.StaticSize} for the busiest minute ({result.Capacity.BusiestRequestsPerSecond:0.#} req/s, {result.Capacity.RequestsPerInstancePerSecond:0.##} req/s per instance) · " +
                      $"{result.WallSeconds:0.0} s wall · {result.RequestsPerWallSecond:N0} requests replayed per wall-second" +
                      (result.GapMinutes > 0 ? $" · {result.GapMinutes:N0} gap minutes held at the previous minute's rate" : "") +
                      (warnings.Count > 0 ? " · WARNING: " + Markup.Escape(string.Join("; ", warnings)) : ""));
        return table;
    }

    private static string Ms(double v) => double.IsNaN(v) ? "–" : double.IsInfinity(v) ? "∞" : v.ToString("0", CultureInfo.InvariantCulture);
}
