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
        foreach (var column in ScoreColumns.Headers)
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var run in result.Runs)
        {
            table.AddRow([.. ScoreColumns.Cells(run.Score)]);
        }

        table.Caption($"{result.Requests:N0} requests · static size {result.Capacity.StaticSize} for the busiest minute ({result.Capacity.BusiestRequestsPerSecond:0.#} req/s, {result.Capacity.RequestsPerInstancePerSecond:0.##} req/s per instance) · " +
                      $"{result.WallSeconds:0.0} s wall · {result.RequestsPerWallSecond:N0} requests replayed per wall-second" +
                      (result.GapMinutes > 0 ? $" · {result.GapMinutes:N0} gap minutes held at the previous minute's rate" : ""));
        return table;
    }
}
