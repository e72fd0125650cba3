using System.Globalization;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Scoring;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>
/// The one table both commands print. Columns are chosen by priority to fit the width (every one with --wide); the JSON
/// (-o json, --json) has every figure.
/// </summary>
internal static class ScoreTable
{
    private sealed record Column(string Header, int Priority, Func<Scorecard, string> Cell);

    private static readonly Column[] Columns =
    [
        new("policy", 0, s => s.Policy),
        new("feasible att.", 0, s => (s.FeasibleAttainment * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %"),
        new("raw att.", 1, s => (s.SloAttainment * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %"),
        new("viol. min", 1, s => s.ViolationMinutes.ToString(CultureInfo.InvariantCulture)),
        new("inst-hours", 0, s => s.InstanceHours.ToString("0.0", CultureInfo.InvariantCulture)),
        new("vs oracle", 1, s => s.CostVsOracle is double c ? c.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–"),
        new("resizes", 3, s => s.Resizes.ToString(CultureInfo.InvariantCulture)),
        new("dir. changes", 4, s => s.DirectionChanges.ToString(CultureInfo.InvariantCulture)),
        new("TTFT p95 ms", 1, s => Ms(s.TtftP95Ms)),
        new("TTFT p50/p99 ms", 4, s => $"{Ms(s.TtftP50Ms)} / {Ms(s.TtftP99Ms)}"),
        new("E2E p95 ms", 3, s => Ms(s.E2eP95Ms)),
        new("peak", 2, s => s.PeakInstances.ToString(CultureInfo.InvariantCulture)),
        new("served", 3, s => s.Served.ToString("N0", CultureInfo.InvariantCulture)),
        new("dropped", 2, s => s.Dropped.ToString("N0", CultureInfo.InvariantCulture)),
        new("recovery s", 1, ScoreColumns.Recovery),
    ];

    /// <summary>The table, and how many columns were left out to fit <paramref name="width"/>.</summary>
    public static (Table Table, int Hidden, int Width) Build(BacktestResult result, int width, bool wide)
    {
        var cells = result.Runs.Select(r => Columns.Select(c => c.Cell(r.Score)).ToArray()).ToList();
        // A rounded table spends one border column per column plus one, and a space either side of each cell.
        var widths = Columns.Select((c, i) => Math.Max(c.Header.Length, cells.Count > 0 ? cells.Max(row => row[i].Length) : 0) + 3).ToArray();
        var chosen = new SortedSet<int>();
        var used = 1;
        foreach (var i in Enumerable.Range(0, Columns.Length).OrderBy(i => Columns[i].Priority).ThenBy(i => i))
        {
            if (wide || Columns[i].Priority == 0 || used + widths[i] <= width)
            {
                chosen.Add(i);
                used += widths[i];
            }
            else if (Columns[i].Priority > 0)
            {
                break; // keep the priority order: never a low-priority column in place of a higher one
            }
        }

        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{Markup.Escape(result.Trace)} · seed {result.Seed} · SLO {result.SloMs:0} ms TTFT · {result.SimSeconds / 3600:0.#} h simulated");
        foreach (var i in chosen)
        {
            table.AddColumn(new TableColumn(Columns[i].Header).RightAligned());
        }

        foreach (var row in cells)
        {
            table.AddRow([.. chosen.Select(i => Markup.Escape(row[i]))]);
        }

        var feasible = result.Runs.Count > 0 ? result.Runs[0].Score.FeasibleShare : 1;
        var warnings = result.MaxSizeWarnings();
        table.Caption($"{result.Requests:N0} requests, {feasible * 100:0.0} % feasible (prefill alone within the SLO) · static size {result.Capacity.StaticSize} for the busiest minute ({result.Capacity.BusiestRequestsPerSecond:0.#} req/s, {result.Capacity.RequestsPerInstancePerSecond:0.##} req/s per instance) · " +
                      $"{result.WallSeconds:0.0} s wall · {result.RequestsPerWallSecond:N0} requests replayed per wall-second" +
                      (result.EventMinutes.Count > 0
                          ? $" · {result.EventMinutes.Count} load event(s) (a minute ≥ {Simulation.Scoring.LoadEvents.JumpFactor:0.#}× the {Simulation.Scoring.LoadEvents.BaselineMinutes} before it), first at minute {result.EventMinutes[0]}; recovery = SLO back for {Simulation.Scoring.RecoveryTracker.HoldMinutes} min, slowest event; floor {result.RecoveryFloorSeconds:0} s"
                          : " · no load event") +
                      (result.GapMinutes > 0 ? $" · {result.GapMinutes:N0} gap minutes held at the previous minute's rate" : "") +
                      (warnings.Count > 0 ? " · WARNING: " + Markup.Escape(string.Join("; ", warnings)) : ""));
        return (table, Columns.Length - chosen.Count, Math.Max(width, used));
    }

    /// <summary>Prints the table to stdout, and a note on stderr when columns were left out.</summary>
    public static void Print(Conventions.CommandContext context, BacktestResult result, bool wide)
    {
        var (table, hidden, width) = Build(result, context.Width, wide);
        var console = context.OutConsole();
        console.Profile.Width = width;
        console.Write(table);
        if (hidden > 0)
        {
            context.Note($"{hidden} column(s) left out to fit {context.Width} columns: --wide shows them all, -o json has every figure.");
        }
    }

    private static string Ms(double v) => double.IsNaN(v) ? "–" : double.IsInfinity(v) ? "∞" : v.ToString("0", CultureInfo.InvariantCulture);
}
