using AiLbAutoscaler.Simulation.Scoring;
using ScottPlot;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>
/// The PNG chart (ScottPlot 5): on top, load (right axis) with the target and serving instances (left axis); below,
/// p95 TTFT per minute against the SLO. With several policies, each gets its own serving and p95 lines.
/// </summary>
public static class TimelineChart
{
    public static void Save(string path, IReadOnlyList<(string Policy, IReadOnlyList<TimelineRow> Rows)> runs, double sloMs, string title)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var top = multiplot.GetPlot(0);
        var bottom = multiplot.GetPlot(1);
        var longRun = runs.Count > 0 && runs[0].Rows.Count > 600;
        var unit = longRun ? "hours" : "minutes";
        double X(int minute) => longRun ? minute / 60.0 : minute;

        if (runs.Count > 0)
        {
            var first = runs[0].Rows;
            var xs = first.Select(r => X(r.Stats.Minute)).ToArray();
            var load = top.Add.ScatterLine(xs, first.Select(r => r.Stats.RequestRate).ToArray());
            load.Axes.YAxis = top.Axes.Right;
            load.LegendText = "load (requests/s, right axis)";
            load.Color = Colors.Gray.WithAlpha(0.6);
        }

        var single = runs.Count == 1;
        foreach (var (policy, rows) in runs)
        {
            var xs = rows.Select(r => X(r.Stats.Minute)).ToArray();
            if (single)
            {
                var target = top.Add.ScatterLine(xs, rows.Select(r => (double)r.Desired).ToArray());
                target.LegendText = $"{policy} target";
                target.LinePattern = LinePattern.Dashed;
            }

            var serving = top.Add.ScatterLine(xs, rows.Select(r => (double)r.Stats.Serving).ToArray());
            serving.LegendText = $"{policy} serving";

            var cap = sloMs * 10;
            var p95 = bottom.Add.ScatterLine(xs, rows.Select(r => double.IsNaN(r.Stats.TtftP95Ms) ? 0 : Math.Min(r.Stats.TtftP95Ms, cap)).ToArray());
            p95.LegendText = $"{policy} p95 TTFT";
        }

        var slo = bottom.Add.HorizontalLine(sloMs);
        slo.LegendText = $"SLO {sloMs:0} ms";
        slo.Color = Colors.Red;
        slo.LinePattern = LinePattern.Dashed;

        top.Title(title);
        top.Axes.Left.Label.Text = "instances";
        top.Axes.Right.Label.Text = "requests/s";
        top.Axes.Bottom.Label.Text = unit;
        top.ShowLegend(Alignment.UpperLeft);
        bottom.Axes.Left.Label.Text = "p95 TTFT (ms, capped at 10× SLO)";
        bottom.Axes.Bottom.Label.Text = unit;
        bottom.ShowLegend(Alignment.UpperLeft);

        AtomicFile.WriteVia(path, temp => multiplot.SavePng(temp, 1400, 900));
    }
}
