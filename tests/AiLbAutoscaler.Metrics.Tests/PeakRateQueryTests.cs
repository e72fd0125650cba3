using AiLbAutoscaler.Metrics.Tests.Support;
using AiLbAutoscaler.Tests.Shared;

namespace AiLbAutoscaler.Metrics.Tests;

/// <summary>
/// The PromQL docs/metrics.md gives for <c>request_rate_peak</c>, evaluated by a REAL Prometheus engine (Debian's
/// promtool, <c>test rules</c>: its own evaluator on synthetic series), against the simulator's formula for the same
/// scrapes: the highest scrape-to-scrape count less 3 × √count, per second.
/// </summary>
[Trait("Area", "Metrics")]
public sealed class PeakRateQueryTests
{
    private const string Query =
        "max_over_time(clamp_min(sum(irate(http_requests_total[1m])) - 3 * sqrt(sum(irate(http_requests_total[1m])) / 15), 0)[5m:15s])";

    [Fact]
    public void The_documented_query_is_the_one_tested()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "metrics.md"));
        Assert.Contains(Query, docs);
    }

    [Theory]
    // Each instance's counter in promtool's notation (start+step×n): 200 requests per 15 s scrape, then 1,250 in one
    // (2,000 → 3,250 at 165 s): 2,500 in 15 s over both. The simulator's (2,500 − 3 × √2,500) / 15 = 156.67 req/s;
    // steady counts of 400 would read (400 − 60) / 15 = 22.67, under their mean.
    [InlineData("0+200x10 3250+200x2", 195, 2350 / 15.0, true)]
    [InlineData("0+200x12", 195, 340 / 15.0, true)]
    // The same burst, more than five minutes back, has left the window.
    [InlineData("0+200x10 3250+200x30", 615, 340 / 15.0, true)]
    // And the check can fail: a wrong expectation is refused.
    [InlineData("0+200x10 3250+200x2", 195, 2500 / 15.0, false)]
    public async Task Prometheus_evaluates_the_query_as_the_simulator_counts(string counter, int evalSeconds, double expected, bool passes)
    {
        var dir = Directory.CreateTempSubdirectory("ailb-peak-").FullName;
        try
        {
            var file = Path.Combine(dir, "peak-test.yml");
            File.WriteAllText(file, $"""
                rule_files: []
                evaluation_interval: 15s
                tests:
                  - interval: 15s
                    input_series:
                      - series: 'http_requests_total{"{"}instance="a"{"}"}'
                        values: '{counter}'
                      - series: 'http_requests_total{"{"}instance="b"{"}"}'
                        values: '{counter}'
                    promql_expr_test:
                      - expr: {Query}
                        eval_time: {evalSeconds}s
                        exp_samples:
                          - labels: '{"{"}{"}"}'
                            value: {expected.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}
                """);

            var (code, output) = await PrometheusServerFixture.RunAsync(PrometheusServerFixture.Find("promtool"), ["test", "rules", file]);

            Assert.True((code == 0) == passes, $"promtool exited {code}:\n{output}");
            Assert.Contains(passes ? "SUCCESS" : "FAILED", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
