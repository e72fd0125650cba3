using AiLbAutoscaler.Simulation.Backtest;
using ScottPlot;

namespace AiLbAutoscaler.Simulation.Sweep;

/// <summary>
/// The sweep's scatter (ScottPlot 5): every run as a point (instance-hours across, feasible attainment up), one colour per
/// policy (<see cref="PolicyPalette"/>), each policy's Pareto front as a line, and ailb's default ringed and labelled. The
/// axes stop at 3× ailb's default instance-hours; the title counts the runs beyond.
/// </summary>
public static class SweepChart
{
    public static void Save(string path, SweepResult result, string title)
    {
        var plot = new Plot();
        foreach (var policy in result.Policies)
        {
            var color = PolicyPalette.ColorFor(policy);
            var own = result.Points.Where(p => p.Policy == policy).ToList();
            var dots = plot.Add.ScatterPoints(own.Select(p => p.Score.InstanceHours).ToArray(), own.Select(p => p.Score.FeasibleAttainment * 100).ToArray());
            dots.Color = color;
            dots.MarkerSize = 7;
            dots.LegendText = policy;
            var front = result.FrontOf(policy);
            if (front.Count > 1)
            {
                var line = plot.Add.ScatterLine(front.Select(p => p.Score.InstanceHours).ToArray(), front.Select(p => p.Score.FeasibleAttainment * 100).ToArray());
                line.Color = color;
                line.LineWidth = 2;
            }
        }

        if (result.Reference is { } r)
        {
            var mark = plot.Add.Marker(r.Score.InstanceHours, r.Score.FeasibleAttainment * 100, MarkerShape.OpenCircle, 18);
            mark.Color = PolicyPalette.ColorFor(r.Policy);
            mark.LineWidth = 2;
            var text = plot.Add.Text("  ailb default", r.Score.InstanceHours, r.Score.FeasibleAttainment * 100);
            text.LabelFontColor = PolicyPalette.ColorFor(r.Policy);
        }

        var target = plot.Add.HorizontalLine(result.SloTarget * 100);
        target.Color = Colors.Red.WithAlpha(0.5);
        target.LinePattern = LinePattern.Dashed;
        target.LegendText = $"target {result.SloTarget * 100:0.#} %";

        // Zoom on the region that matters: up to 3× ailb's default cost; a policy far beyond it is named, not squeezed in.
        if (result.Reference is { } reference && reference.Score.InstanceHours > 0)
        {
            var xMax = reference.Score.InstanceHours * 3;
            var inside = result.Points.Where(p => p.Score.InstanceHours <= xMax).ToList();
            var yMin = inside.Count > 0 ? inside.Min(p => p.Score.FeasibleAttainment * 100) : 0;
            plot.Axes.SetLimits(0, xMax, Math.Max(0, yMin - 2), 100.5);
            var off = result.Points.Count - inside.Count;
            if (off > 0)
            {
                title += $" · {off} run(s) beyond 3× ailb's instance-hours not shown";
            }
        }

        plot.Title(title);
        plot.Axes.Bottom.Label.Text = "instance-hours";
        plot.Axes.Left.Label.Text = "feasible SLO attainment (%)";
        plot.ShowLegend(Alignment.LowerRight);
        AtomicFile.WriteVia(path, temp => plot.SavePng(temp, 1200, 800));
    }
}
