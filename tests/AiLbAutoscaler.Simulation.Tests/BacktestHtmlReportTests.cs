using System.CommandLine;
using AiLbAutoscaler.Cli;
using AiLbAutoscaler.Tests.Shared;
using PuppeteerSharp;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary><c>ailb backtest --html</c>: the file it writes, opened from disk in a real headless chromium.</summary>
[Trait("Area", "Browser")]
public sealed class BacktestHtmlReportTests
{
    [Fact]
    public async Task The_html_report_shows_the_scores_and_one_path_per_series_in_a_real_browser()
    {
        var dir = TempFiles.NewDirectory();
        var html = Path.Combine(dir, "report.html");
        var output = new StringWriter();
        var error = new StringWriter();
        var code = Program.BuildRoot().Parse(["backtest", "--scenario", "spike", "--rate-scale", "0.25", "--policies", "ailb,hpa,static", "--html", html])
            .Invoke(new InvocationConfiguration { Output = output, Error = error });
        Assert.True(code == 0, error.ToString());
        Assert.Contains($"wrote {html}", output.ToString() + error.ToString());

        // Self-contained: no script, no link, no reference to anything outside the file (the SVG namespace is a name, not a fetch).
        var text = await File.ReadAllTextAsync(html);
        Assert.DoesNotContain("<script", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", text, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(System.Text.RegularExpressions.Regex.Matches(text.Replace("xmlns=\"http://www.w3.org/2000/svg\"", ""), "(src|href)=|url\\(|https?://"));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp*"));

        await using var chromium = await HeadlessChromium.LaunchAsync();
        await using var page = await chromium.Browser.NewPageAsync();
        var requests = new List<string>();
        page.Request += (_, e) => requests.Add(e.Request.Url);
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 1800 });
        await page.GoToAsync(new Uri(html).AbsoluteUri);

        Assert.Equal([new Uri(html).AbsoluteUri], requests);
        var policies = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('table.scores tbody tr td:first-child')].map(td => td.textContent)");
        Assert.Equal(["ailb", "hpa", "static"], policies);
        var series = await page.EvaluateExpressionAsync<string[][]>(
            "[...document.querySelectorAll('svg.chart')].map(svg => [...svg.querySelectorAll('path.series')].map(p => p.dataset.series))");
        Assert.Equal(3, series.Length);
        Assert.Equal(["load", "serving:ailb", "serving:hpa", "serving:static"], series[0]);
        Assert.Equal(["p95:ailb", "p95:hpa", "p95:static"], series[1]);
        Assert.Equal(["size", "desired"], series[2][..2]);
        Assert.True(series[2].Length > 2 && series[2][2..].All(s => s.StartsWith("recommended:", StringComparison.Ordinal)), string.Join(",", series[2]));
        var emptyPaths = await page.EvaluateExpressionAsync<int>("[...document.querySelectorAll('path.series')].filter(p => !p.getAttribute('d')).length");
        Assert.Equal(0, emptyPaths);

        await page.ScreenshotAsync(HeadlessChromium.ScreenshotPath("backtest-report.png"), new ScreenshotOptions { FullPage = true });
    }
}
