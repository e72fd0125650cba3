using AiLbAutoscaler.Core.Telemetry;
using AiLbAutoscaler.Reporting;
using AiLbAutoscaler.Simulation.Policies.Ailb;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>
/// <c>ailb backtest --html</c>: one self-contained page (no script, no external resource) with the score table, a chart
/// of every policy's serving instances over the load, one of p95 TTFT against the SLO, and, where the ailb run recorded
/// them, the controller's own instruments on the simulated clock. Users share this more easily than a PNG.
/// </summary>
public static class BacktestHtmlReport
{
    /// <summary>Long runs are drawn from at most this many points per series (each the bucket's highest value).</summary>
    private const int MaxPoints = 1500;

    public static string Render(BacktestResult result)
    {
        var page = new HtmlPage($"ailb backtest: {result.Trace}",
            $"seed {result.Seed} · SLO {result.SloMs:0} ms TTFT · {result.SimSeconds / 3600:0.#} h simulated · {result.Requests:N0} requests · " +
            $"static size {result.Capacity.StaticSize} for the busiest minute ({result.Capacity.BusiestRequestsPerSecond:0.#} req/s)" +
            (result.GapMinutes > 0 ? $" · {result.GapMinutes:N0} gap minutes held at the previous minute's rate" : ""));

        page.Raw("<section class=\"scores\"><h2>Scores</h2>");
        page.Raw(HtmlPage.Table("scores", ScoreColumns.Headers, result.Runs.Select(r => ScoreColumns.Cells(r.Score)),
            numeric: new HashSet<int>(Enumerable.Range(1, ScoreColumns.Headers.Count - 1))));
        page.Raw("</section>");

        var hours = result.SimSeconds > 3 * 3600;
        string FormatX(double minute) => hours ? $"{minute / 60:0.#} h" : $"{minute:0} min";

        var fleet = new SvgChart("Serving instances per policy (left) over the load (right)", "instances", "requests/s", FormatX);
        if (result.Runs.Count > 0)
        {
            fleet.Add(new ChartSeries("load", "load (requests/s, right axis)",
                Downsample(result.Runs[0].Timeline.Select(t => ((double)t.Stats.Minute, t.Stats.RequestRate)).ToList()), SvgChart.Palette[6], ChartAxis.Right));
        }

        var latency = new SvgChart($"p95 TTFT per minute against the SLO (capped at 10× SLO, {result.SloMs * 10:0} ms)", "ms", null, FormatX);
        foreach (var run in result.Runs)
        {
            var color = PolicyPalette.Hex(run.Score.Policy); // one colour per policy, as in every PNG chart
            fleet.Add(new ChartSeries($"serving:{run.Score.Policy}", $"{run.Score.Policy} serving", Downsample(
                run.Timeline.Select(t => ((double)t.Stats.Minute, (double)t.Stats.Serving)).ToList()), color, Step: true));
            latency.Add(new ChartSeries($"p95:{run.Score.Policy}", $"{run.Score.Policy} p95 TTFT", Downsample(
                run.Timeline.Select(t => ((double)t.Stats.Minute, double.IsNaN(t.Stats.TtftP95Ms) ? double.NaN : Math.Min(t.Stats.TtftP95Ms, result.SloMs * 10))).ToList()),
                color));
        }

        latency.Add(new ChartRule($"SLO {result.SloMs:0} ms", result.SloMs, "#1f2328"));
        page.Raw("<section class=\"charts\"><h2>Over time</h2>");
        if (result.Runs.All(r => r.Timeline.Count == 0))
        {
            page.Raw("<p class=\"muted\">No timeline was recorded.</p>");
        }

        page.Raw(fleet.ToString()).Raw(latency.ToString()).Raw("</section>");

        if (result.Runs.FirstOrDefault(r => r.Score.Policy == AilbPolicy.PolicyName && r.Instruments is { Count: > 0 }) is { Instruments: { } points })
        {
            page.Raw("<section class=\"instruments\"><h2>The controller's instruments (ailb, simulated clock)</h2>");
            page.Raw("<p class=\"muted\">What an operator would see on a dashboard fed by OpenTelemetry: ")
                .Raw(HtmlPage.Encode($"{AutoscalerTelemetry.Instruments.Size}, {AutoscalerTelemetry.Instruments.DesiredSize} and " +
                    $"{AutoscalerTelemetry.Instruments.SignalRecommendedSize} per signal, at every tick."))
                .Raw("</p>");
            var chart = new SvgChart("Current and desired size, and each signal's recommended size", "instances", null, FormatX);
            var series = points.Where(p => p.Instrument == AutoscalerTelemetry.Instruments.SignalRecommendedSize)
                .GroupBy(p => p.Signal ?? "?").OrderBy(g => g.Key, StringComparer.Ordinal);
            Add(chart, "size", "current size", points.Where(p => p.Instrument == AutoscalerTelemetry.Instruments.Size), SvgChart.Palette[0], step: true);
            Add(chart, "desired", "desired size", points.Where(p => p.Instrument == AutoscalerTelemetry.Instruments.DesiredSize), SvgChart.Palette[1], step: true);
            var k = 2;
            foreach (var signal in series)
            {
                Add(chart, $"recommended:{signal.Key}", $"{signal.Key} recommends", signal, SvgChart.Palette[k++ % SvgChart.Palette.Length], step: false);
            }

            page.Raw(chart.ToString()).Raw("</section>");
        }

        // Sweep fronts: this repository's backtest has no sweep yet; the page shows none rather than an empty placeholder.
        return page.ToString();
    }

    private static void Add(SvgChart chart, string key, string label, IEnumerable<InstrumentPoint> points, string color, bool step) =>
        chart.Add(new ChartSeries(key, label, Downsample(points.Select(p => (p.SimSeconds / 60, p.Value)).ToList()), color, Step: step, Dashed: key == "desired"));

    /// <summary>At most <see cref="MaxPoints"/> points: each bucket's highest value, so short spikes stay visible.</summary>
    private static IReadOnlyList<(double X, double? Y)> Downsample(IReadOnlyList<(double X, double Y)> points)
    {
        var step = Math.Max(1, (int)Math.Ceiling(points.Count / (double)MaxPoints));
        var result = new List<(double X, double? Y)>(Math.Min(points.Count, MaxPoints));
        for (var start = 0; start < points.Count; start += step)
        {
            var end = Math.Min(points.Count, start + step);
            double? best = null;
            for (var j = start; j < end; j++)
            {
                if (double.IsFinite(points[j].Y) && (best is null || points[j].Y > best))
                {
                    best = points[j].Y;
                }
            }

            result.Add((points[start].X, best));
        }

        return result;
    }
}
