using System.Globalization;
using AiLbAutoscaler.Simulation.Scoring;
using ScottPlot;
using ScottPlot.Plottables;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>
/// The chart (ScottPlot 5). On top, load (grey, right axis) with each policy's serving instances (and, for one policy,
/// its target, drawn above the serving line); below, p95 TTFT against the SLO (red): one panel, or one per policy when
/// several are compared. Every policy keeps its <see cref="PolicyPalette"/> colour in every panel. Minutes without a
/// latency are gaps, never 0. Long traces are drawn in buckets (max p95, mean instances and load per bucket), and the
/// bottom axis names the bucket.
/// </summary>
public static class TimelineChart
{
    /// <summary>At most this many points per line: about two pixels each at the chart's width.</summary>
    public const int MaxPoints = 700;

    public const int Width = 1400;

    private static readonly Dictionary<string, ImageFormat> Formats = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = ImageFormat.Png,
        [".jpg"] = ImageFormat.Jpeg,
        [".jpeg"] = ImageFormat.Jpeg,
        [".bmp"] = ImageFormat.Bmp,
        [".webp"] = ImageFormat.Webp,
    };

    private static readonly int[] NiceBuckets = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

    /// <summary>Null when the chart can be written to <paramref name="path"/>, else why not (the extension says the format).</summary>
    public static string? CheckPath(string path) => Formats.ContainsKey(Path.GetExtension(path))
        ? null
        : $"'{Path.GetExtension(path)}' is not an image format the chart can write; end the name with {string.Join(", ", Formats.Keys)}.";

    public static void Save(string path, IReadOnlyList<(string Policy, IReadOnlyList<TimelineRow> Rows)> runs, double sloMs, string title, ChartWindow? window = null)
    {
        var format = Formats.TryGetValue(Path.GetExtension(path), out var f) ? f : throw new ArgumentException(CheckPath(path));
        var chart = Build(runs, sloMs, title, window ?? ChartWindow.All);
        var height = 450 + 260 * chart.LatencyPanels;
        AtomicFile.WriteVia(path, temp =>
        {
            using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(Width, height));
            chart.Plot.Render(surface.Canvas, new PixelRect(0, Width, height, 0));
            using var image = new Image(surface);
            image.Save(temp, format, 92);
        });
    }

    /// <summary>The plot model (tests read colours and data from it).</summary>
    public sealed record Chart(Multiplot Plot, int LatencyPanels, int BucketMinutes);

    public static Chart Build(IReadOnlyList<(string Policy, IReadOnlyList<TimelineRow> Rows)> runs, double sloMs, string title, ChartWindow window)
    {
        var shown = runs.Select(r => (r.Policy, Rows: r.Rows.Where(x => window.Contains(x.Stats.Minute)).ToList())).ToList();
        if (shown.All(r => r.Rows.Count == 0))
        {
            var length = runs.Count > 0 && runs[0].Rows.Count > 0 ? runs[0].Rows[^1].Stats.Minute + 1 : 0;
            throw new ArgumentException(window == ChartWindow.All
                ? "There is nothing to chart: the run recorded no minutes."
                : $"--window {window.FromMinute}..{(window.ToMinute == int.MaxValue ? "" : window.ToMinute)} holds no minute of the trace (it has {length} minutes).");
        }

        var from = shown.Where(r => r.Rows.Count > 0).Min(r => r.Rows[0].Stats.Minute);
        var end = shown.Where(r => r.Rows.Count > 0).Max(r => r.Rows[^1].Stats.Minute) + 1;
        var span = end - from;
        var bucket = NiceBuckets.FirstOrDefault(b => b * MaxPoints >= span, (span + MaxPoints - 1) / MaxPoints);
        var hours = span > 600;
        double X(double minute) => hours ? minute / 60.0 : minute;
        var axis = (hours ? "hours" : "minutes") + (bucket > 1 ? $" (one point per {Duration(bucket)}: max p95, mean instances and load)" : "");

        var single = shown.Count == 1;
        var latencyPanels = single ? 1 : shown.Count;
        var multiplot = new Multiplot();
        multiplot.AddPlots(1 + latencyPanels);
        var top = multiplot.GetPlot(0);
        var series = shown.Select(r => (r.Policy, Points: Downsample(r.Rows, bucket))).ToList();

        // Load once (the trace is the same for every policy), grey on the right axis.
        var maxLoad = 0.0;
        if (series.FirstOrDefault(s => s.Points.Length > 0) is { Points: { } loadPoints })
        {
            var load = top.Add.ScatterLine(loadPoints.Select(p => X(p.Minute)).ToArray(), loadPoints.Select(p => p.Load).ToArray());
            load.Axes.YAxis = top.Axes.Right;
            load.LegendText = "load (requests/s, right axis)";
            load.Color = PolicyPalette.Load;
            maxLoad = loadPoints.Max(p => p.Load);
        }

        var cap = sloMs * 10;
        var maxInstances = 1.0;
        var maxP95 = sloMs;
        foreach (var (policy, points) in series)
        {
            var color = PolicyPalette.ColorFor(policy);
            var xs = points.Select(p => X(p.Minute)).ToArray();
            var serving = top.Add.ScatterLine(xs, points.Select(p => p.Serving).ToArray());
            serving.LegendText = $"{policy} serving";
            serving.Color = single ? color.WithAlpha(0.45) : color;
            serving.LineWidth = single ? 5 : 2;
            if (single)
            {
                // Drawn after (so above) the serving line, thin and dashed: visible where the two coincide.
                var target = top.Add.ScatterLine(xs, points.Select(p => p.Desired).ToArray());
                target.LegendText = $"{policy} target";
                target.Color = color;
                target.LineWidth = 2;
                target.LinePattern = LinePattern.Dashed;
            }

            maxInstances = Math.Max(maxInstances, points.Length > 0 ? points.Max(p => Math.Max(p.Serving, p.Desired)) : 0);
            var finite = points.Select(p => p.P95).Where(double.IsFinite).ToList();
            maxP95 = Math.Max(maxP95, finite.Count > 0 ? finite.Max() : 0);
        }

        var latencyTop = Math.Min(cap, maxP95) * 1.08;
        for (var i = 0; i < latencyPanels; i++)
        {
            var panel = multiplot.GetPlot(1 + i);
            var (policy, points) = series[i];
            var panelSeries = single ? series : [series[i]];
            foreach (var (name, pts) in panelSeries)
            {
                // NaN (no request finished in the bucket) stays NaN: ScottPlot leaves a gap there.
                var p95 = panel.Add.ScatterLine(pts.Select(p => X(p.Minute)).ToArray(), pts.Select(p => double.IsNaN(p.P95) ? double.NaN : Math.Min(p.P95, cap)).ToArray());
                p95.LegendText = $"{name} p95 TTFT";
                p95.Color = PolicyPalette.ColorFor(name);
                p95.LineWidth = 1.5f;
            }

            var slo = panel.Add.HorizontalLine(sloMs);
            slo.LegendText = $"SLO {sloMs:0} ms";
            slo.Color = PolicyPalette.Slo;
            slo.LinePattern = LinePattern.Dashed;
            panel.Axes.Left.Label.Text = single ? "p95 TTFT (ms, capped at 10× SLO)" : $"{policy}: p95 TTFT (ms)";
            panel.Axes.Bottom.Label.Text = axis;
            panel.Axes.SetLimits(X(from), X(end), 0, latencyTop);
            panel.ShowLegend(Alignment.UpperLeft);
        }

        top.Title(title);
        top.Axes.Left.Label.Text = "instances";
        top.Axes.Right.Label.Text = "requests/s";
        top.Axes.Bottom.Label.Text = axis;
        top.Axes.SetLimitsX(X(from), X(end));
        top.Axes.SetLimitsY(0, maxInstances * 1.1 + 1, top.Axes.Left);
        top.Axes.SetLimitsY(0, maxLoad * 1.1 + 0.1, top.Axes.Right);
        top.ShowLegend(Alignment.UpperLeft);
        return new Chart(multiplot, latencyPanels, bucket);
    }

    /// <summary>One point per bucket of minutes: mean load and instances, max p95 (NaN when no minute of it has one).</summary>
    private static Point[] Downsample(IReadOnlyList<TimelineRow> rows, int bucket)
    {
        var points = new List<Point>();
        foreach (var group in rows.GroupBy(r => r.Stats.Minute / bucket))
        {
            var latencies = group.Select(r => r.Stats.TtftP95Ms).Where(v => !double.IsNaN(v)).ToList();
            points.Add(new Point(
                group.Key * bucket,
                group.Average(r => r.Stats.RequestRate),
                group.Average(r => (double)r.Stats.Serving),
                group.Average(r => (double)r.Desired),
                latencies.Count > 0 ? latencies.Max() : double.NaN));
        }

        return [.. points];
    }

    private static string Duration(int minutes) => minutes % 60 == 0
        ? (minutes / 60).ToString(CultureInfo.InvariantCulture) + " h"
        : minutes.ToString(CultureInfo.InvariantCulture) + " min";

    private readonly record struct Point(int Minute, double Load, double Serving, double Desired, double P95);
}
