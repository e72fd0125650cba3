using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Sweep;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary><c>ailb sweep --html</c>: the fronts on a self-contained page, one line per policy in its fixed colour.</summary>
[Trait("Area", "Simulation")]
public sealed class SweepHtmlReportTests
{
    [Fact]
    public void The_page_draws_each_policys_front_in_its_colour_and_lists_the_fronts_and_matches()
    {
        var result = SweepRunner.Run(new BacktestRequest { Trace = TraceSpec.FromScenario(Scenarios.Steady, 0.25, 4), Policies = ["ailb", "gce-lb"] });

        var html = SweepHtmlReport.Render(result);

        Assert.StartsWith("<!doctype html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase); // nothing external: no stylesheet,
        Assert.DoesNotContain(" src=", html, StringComparison.OrdinalIgnoreCase); // no image or script source
        foreach (var policy in new[] { "ailb", "gce-lb" })
        {
            var path = $"<path class=\"series\" data-series=\"front:{policy}\" fill=\"none\" stroke=\"{PolicyPalette.Hex(policy)}\"";
            Assert.Equal(1, html.Split(path).Length - 1);
        }

        Assert.Contains("ailb&#39;s default: ", html, StringComparison.Ordinal);
        Assert.Contains("gce-lb: ", html, StringComparison.Ordinal);
        Assert.NotEqual(PolicyPalette.Hex("ailb"), PolicyPalette.Hex("gce-lb"));
    }
}
