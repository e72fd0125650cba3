using AiLbAutoscaler.Reporting;
using AiLbAutoscaler.Simulation.Backtest;

namespace AiLbAutoscaler.Simulation.Sweep;

/// <summary>
/// <c>ailb sweep --html</c>: the sweep as one self-contained page, the same kind as the backtest report: each policy's
/// Pareto front as a line (feasible attainment against instance-hours, one colour per policy from
/// <see cref="PolicyPalette"/>), the fronts as a table with ailb's default marked, and each baseline's cheapest match.
/// </summary>
public static class SweepHtmlReport
{
    public static string Render(SweepResult result)
    {
        var page = new HtmlPage($"ailb sweep: {result.Trace}",
            $"seed {result.Seed} · SLO {result.SloMs:0} ms TTFT · {result.SimSeconds / 3600:0.#} h simulated · {result.Points.Count} runs · " +
            $"static size {result.Capacity.StaticSize} for the busiest minute ({result.Capacity.BusiestRequestsPerSecond:0.#} req/s)");

        var chart = new SvgChart("Pareto fronts: feasible attainment (%) against instance-hours", "feasible attainment %", null,
            hours => $"{hours:0} h");
        foreach (var policy in result.Policies)
        {
            chart.Add(new ChartSeries($"front:{policy}", $"{policy} front",
                [.. result.FrontOf(policy).OrderBy(p => p.Score.InstanceHours).Select(p => (p.Score.InstanceHours, (double?)(p.Score.FeasibleAttainment * 100)))],
                PolicyPalette.Hex(policy)));
        }

        page.Raw("<section class=\"fronts\"><h2>Pareto fronts</h2>").Raw(chart.ToString());
        page.Raw(HtmlPage.Table("fronts", ["policy", "setting", "feasible att. %", "raw att. %", "instance-hours", "peak"],
            result.Policies.SelectMany(policy => result.FrontOf(policy).Select(p => (IReadOnlyList<string>)
            [
                policy,
                p.Label + (p.IsDefault && p.Knob != "" ? " (default)" : ""),
                HtmlPage.Number(p.Score.FeasibleAttainment * 100),
                HtmlPage.Number(p.Score.SloAttainment * 100),
                HtmlPage.Number(p.Score.InstanceHours, 1),
                p.Score.PeakInstances.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ])),
            numeric: new HashSet<int> { 2, 3, 4, 5 }));
        page.Raw("</section>");

        if (result.Reference is { } reference)
        {
            page.Raw("<section class=\"matches\"><h2>The cheapest baseline setting at ailb's attainment</h2><p>")
                .Raw(HtmlPage.Encode($"ailb's default: {reference.Score.FeasibleAttainment * 100:0.00} % feasible attainment at {reference.Score.InstanceHours:0.0} instance-hours."))
                .Raw("</p><ul>");
            foreach (var match in result.Matches)
            {
                page.Raw("<li>").Raw(HtmlPage.Encode(match.Cheapest is { } c
                    ? $"{match.Policy}: {c.Label}, {c.Score.FeasibleAttainment * 100:0.00} % at {c.Score.InstanceHours:0.0} instance-hours = {match.CostRatio:0.00}× ailb's"
                    : $"{match.Policy}: no setting reaches ailb's attainment; its best is {match.Best.Label}, {match.Best.Score.FeasibleAttainment * 100:0.00} % at {match.Best.Score.InstanceHours:0.0} instance-hours")).Raw("</li>");
            }

            page.Raw("</ul></section>");
        }

        return page.ToString();
    }
}
