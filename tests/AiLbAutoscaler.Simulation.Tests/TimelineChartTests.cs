using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Monitoring;
using AiLbAutoscaler.Simulation.Scoring;
using ScottPlot;
using ScottPlot.Plottables;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary>The chart's plot model: one colour per policy in every panel, gaps where latency is missing, buckets on long traces.</summary>
[Trait("Area", "Simulation")]
public sealed class TimelineChartTests
{
    private static IReadOnlyList<TimelineRow> Rows(int minutes, Func<int, double> p95, int serving = 3) =>
        [.. Enumerable.Range(0, minutes).Select(m => new TimelineRow(
            new MinuteStats(m, 600, 600, 0, p95(m), p95(m), p95(m) * 2, 0.5, 1, serving, serving, 0, serving), serving + 1))];

    private static List<(int Panel, Scatter Line)> Lines(TimelineChart.Chart chart) =>
        [.. Enumerable.Range(0, 1 + chart.LatencyPanels).SelectMany(i => chart.Plot.GetPlot(i).GetPlottables().OfType<Scatter>().Select(s => (i, s)))];

    private static bool SameRgb(ScottPlot.Color a, ScottPlot.Color b) => a.R == b.R && a.G == b.G && a.B == b.B;

    [Fact]
    public void A_policy_has_its_one_colour_in_every_panel_and_load_is_grey()
    {
        var gap = new HashSet<int> { 10, 11, 12 };
        IReadOnlyList<TimelineRow> Run(double baseline) => Rows(60, m => gap.Contains(m) ? double.NaN : baseline + m);
        var chart = TimelineChart.Build([("hpa", Run(100)), ("ailb", Run(200)), ("static", Run(300))], 2000, "t", ChartWindow.All);

        Assert.Equal(3, chart.LatencyPanels);
        var lines = Lines(chart);
        foreach (var policy in new[] { "ailb", "hpa", "static" })
        {
            var own = lines.Where(l => l.Line.LegendText.StartsWith(policy + " ", StringComparison.Ordinal)).ToList();
            Assert.True(own.Select(l => l.Panel).Distinct().Count() >= 2, $"{policy} should be drawn in the fleet panel and its latency panel");
            Assert.All(own, l => Assert.True(SameRgb(PolicyPalette.ColorFor(policy), l.Line.Color), $"{policy}: {l.Line.LegendText} in panel {l.Panel}"));
        }

        Assert.Equal(3, lines.Select(l => l.Line.Color.ToHex()[..7]).Where((_, i) => !lines[i].Line.LegendText.StartsWith("load", StringComparison.Ordinal)).Distinct().Count());
        var load = Assert.Single(lines, l => l.Line.LegendText.StartsWith("load", StringComparison.Ordinal));
        Assert.True(SameRgb(ScottPlot.Colors.Gray, load.Line.Color));
        var slo = chart.Plot.GetPlot(1).GetPlottables().OfType<HorizontalLine>().Single();
        Assert.True(SameRgb(ScottPlot.Colors.Red, slo.Color));
    }

    [Fact]
    public void Minutes_without_latency_are_gaps_not_zero()
    {
        var gap = new HashSet<int> { 10, 11, 12 };
        var chart = TimelineChart.Build([("ailb", Rows(60, m => gap.Contains(m) ? double.NaN : 500))], 2000, "t", ChartWindow.All);
        var p95 = Lines(chart).Single(l => l.Line.LegendText == "ailb p95 TTFT").Line.Data.GetScatterPoints();
        Assert.Equal(60, p95.Count);
        foreach (var point in p95)
        {
            Assert.Equal(gap.Contains((int)point.X), double.IsNaN(point.Y));
        }

        Assert.DoesNotContain(p95, p => p.Y == 0);
    }

    [Fact]
    public void The_target_is_drawn_above_the_serving_line_and_the_x_axis_starts_at_the_first_minute()
    {
        var chart = TimelineChart.Build([("ailb", Rows(60, _ => 500))], 2000, "t", ChartWindow.All);
        var top = chart.Plot.GetPlot(0);
        var order = top.GetPlottables().OfType<Scatter>().Select(s => s.LegendText).ToList();
        Assert.True(order.IndexOf("ailb target") > order.IndexOf("ailb serving"));
        Assert.Equal(0, top.Axes.GetLimits().Left);
        Assert.Equal(0, top.Axes.GetLimits().Bottom);
        Assert.Equal(0, chart.Plot.GetPlot(1).Axes.GetLimits().Left);
    }

    [Fact]
    public void A_long_trace_is_drawn_in_buckets_named_on_the_axis()
    {
        var days = Rows(21 * 1440, m => m % 45 == 0 ? 9000 : 400);
        var chart = TimelineChart.Build([("ailb", days)], 2000, "t", ChartWindow.All);
        Assert.Equal(60, chart.BucketMinutes);
        var p95 = Lines(chart).Single(l => l.Line.LegendText == "ailb p95 TTFT").Line.Data.GetScatterPoints();
        Assert.True(p95.Count <= TimelineChart.MaxPoints);
        Assert.All(p95, p => Assert.Equal(9000, p.Y)); // the max of each hour keeps every spike
        Assert.Contains("one point per 1 h", chart.Plot.GetPlot(1).Axes.Bottom.Label.Text);
    }

    [Fact]
    public void A_window_zooms_the_chart()
    {
        var window = ChartWindow.Parse("1h..2h");
        Assert.Equal(new ChartWindow(60, 120), window);
        var chart = TimelineChart.Build([("ailb", Rows(300, _ => 500))], 2000, "t", window);
        var limits = chart.Plot.GetPlot(0).Axes.GetLimits();
        Assert.Equal(60, limits.Left);
        Assert.Equal(120, limits.Right);
        Assert.Throws<ArgumentException>(() => TimelineChart.Build([("ailb", Rows(30, _ => 500))], 2000, "t", window));
        Assert.Throws<ArgumentException>(() => ChartWindow.Parse("2h..1h"));
    }

    [Fact]
    public void Unknown_policies_get_a_stable_colour_and_known_ones_differ()
    {
        Assert.Equal(PolicyPalette.ColorFor("karpenter"), PolicyPalette.ColorFor("karpenter"));
        string[] known = ["ailb", "hpa", "hpa-queue", "gce", "gce-lb", "static", "oracle", "oracle-reactive"];
        Assert.Equal(known.Length, known.Select(p => PolicyPalette.ColorFor(p)).Distinct().Count());
        Assert.DoesNotContain(known, p => PolicyPalette.ColorFor(p) == ScottPlot.Colors.Red);
    }
}
