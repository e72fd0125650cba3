using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AiLbAutoscaler.Cli;
using AiLbAutoscaler.Metrics.Tests.Support;

namespace AiLbAutoscaler.Metrics.Tests;

/// <summary>
/// <c>ailb record</c> against a REAL Prometheus (Debian's prometheus 2.x, blocks backfilled by promtool): real range queries,
/// real increase() with its reset handling and extrapolation, real error answers. The command runs in process under
/// TimeProvider.System, as a user runs it. See <see cref="TrafficPrometheusFixture"/> for the data.
/// </summary>
[Trait("Area", "Record")]
public sealed class RecordPrometheusTests(TrafficPrometheusFixture prometheus) : IClassFixture<TrafficPrometheusFixture>
{
    [Fact]
    public void Per_minute_counts_equal_the_hand_computed_increases_with_the_gap_empty_and_the_reset_counted()
    {
        var (code, output, error, csv) = Record("--from", Iso(prometheus.From), "--to", Iso(prometheus.To));

        Assert.True(code == 0, error);
        Assert.Contains($"{TrafficPrometheusFixture.Minutes} minutes", output);
        Assert.Contains($"{TrafficPrometheusFixture.GapLength} gap minutes", output);
        Assert.Contains("record: chunk 1/2", error); // two days in chunks of one day, progress on stderr
        Assert.Contains("record: chunk 2/2", error);
        var comments = csv.TakeWhile(l => l.StartsWith('#')).ToList();
        Assert.Contains(comments, c => c == "# ailb record: stack inference");
        Assert.Contains(comments, c => c == $"# source: Prometheus {prometheus.Url}/");
        Assert.Contains(comments, c => c.StartsWith($"# range: {Iso(prometheus.From)} to {Iso(prometheus.To)} (2880 minutes", StringComparison.Ordinal));
        Assert.Contains(comments, c => c == "# query requests: sum(increase(vllm:request_success_total[1m]))");
        Assert.Contains(comments, c => c == "# query prompt_tokens: sum(increase(vllm:prompt_tokens_total[1m]))");
        Assert.Contains(comments, c => c == "# gaps: 15 minutes with no data (empty requests field; backtest holds the previous minute's rate)");

        var rows = csv.SkipWhile(l => l.StartsWith('#')).ToList();
        Assert.Equal("minute,requests,prompt_tokens_mean,output_tokens_mean", rows[0]);
        Assert.Equal(TrafficPrometheusFixture.Minutes, rows.Count - 1);
        for (var m = 0; m < TrafficPrometheusFixture.Minutes; m++)
        {
            var f = rows[m + 1].Split(',');
            Assert.Equal(m.ToString(CultureInfo.InvariantCulture), f[0]);
            if (TrafficPrometheusFixture.IsGap(m))
            {
                Assert.Equal(["", "", ""], f[1..]);
                continue;
            }

            // The minute after the gap has samples over 45 of its 60 s: increase() extrapolates, so allow its float error.
            Assert.Equal(TrafficPrometheusFixture.Requests(m), double.Parse(f[1], CultureInfo.InvariantCulture), 3);
            Assert.Equal(TrafficPrometheusFixture.PromptMean(m), double.Parse(f[2], CultureInfo.InvariantCulture), 2);
            Assert.Equal(TrafficPrometheusFixture.OutputMean(m), double.Parse(f[3], CultureInfo.InvariantCulture), 2);
        }
    }

    [Fact]
    public void A_backtest_of_the_recording_scores_the_same_as_a_backtest_of_the_source_csv()
    {
        var (code, _, error, _) = Record("--from", Iso(prometheus.From), "--to", Iso(prometheus.To));
        Assert.True(code == 0, error);
        var source = Path.Combine(prometheus.Directory, "source.csv");
        File.WriteAllText(source, prometheus.SourceCsv());

        var recorded = Backtest(Path.Combine(prometheus.Directory, "inference.csv"));
        var original = Backtest(source);

        Assert.Equal(15, recorded.GetProperty("gap_minutes").GetInt32());
        Assert.Equal(original.GetProperty("requests").GetInt64(), recorded.GetProperty("requests").GetInt64());
        Assert.Equal(original.GetProperty("results").ToString(), recorded.GetProperty("results").ToString());
    }

    [Fact]
    public void A_range_beyond_the_servers_retention_is_exit_2_naming_the_retention()
    {
        var (code, _, error, _) = Record("--from", "-40d");

        Assert.Equal(2, code);
        Assert.Contains("beyond the source's retention of 30 days", error);
        Assert.Contains("the Prometheus server keeps 30d", error);
    }

    [Fact]
    public void A_failing_query_is_exit_1_naming_the_query_and_leaves_no_file()
    {
        var (code, _, error, csv) = Record(["--from", "-2h"], ("Autoscaler:Stacks:inference:Metrics:Record:RequestsQuery", "sum(rate(vllm:request_success_total[1m])"));

        Assert.Equal(1, code);
        Assert.Contains("HTTP 400", error);
        Assert.Contains("sum(rate(vllm:request_success_total[1m])", error);
        Assert.Empty(csv);
        Assert.Empty(Directory.GetFiles(prometheus.Directory, "*.tmp*"));
    }

    [Theory]
    [InlineData("--stack", "nope", "stack 'nope' is not configured")]
    [InlineData("--from", "yesterday", "--from 'yesterday' is neither an ISO-8601 time")]
    [InlineData("--to", "-3d", "must be at least a minute before --to")]
    public void Bad_arguments_are_exit_2_naming_the_flag(string flag, string value, string message)
    {
        var args = new List<string> { "--from", "-2d" };
        if (flag == "--stack")
        {
            args.AddRange(["--stack", value]);
        }
        else if (flag == "--from")
        {
            args[1] = value;
        }
        else
        {
            args.AddRange([flag, value]);
        }

        var (code, _, error, _) = Record([.. args]);

        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task Fourteen_days_at_60_s_exceed_prometheus_points_limit_in_one_query_so_record_splits_them()
    {
        using var http = new HttpClient();
        var end = prometheus.Now.ToUnixTimeSeconds();
        var whole = await http.GetAsync($"{prometheus.Url}/api/v1/query_range?query=1&start={end - (14 * 86400)}&end={end}&step=60");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, whole.StatusCode);
        Assert.Contains("11,000", await whole.Content.ReadAsStringAsync());

        var (code, output, error, csv) = Record(["--from", "-14d"], ("Autoscaler:Stacks:inference:Metrics:Record:ChunkMinutes", "10000"));
        Assert.True(code == 0, error);
        Assert.Contains("record: chunk 3/3", error); // 20,160 minutes in chunks of at most 10,000
        Assert.Equal(14 * 1440, csv.Count(l => !l.StartsWith('#')) - 1);
        Assert.Contains("20160 minutes", output);
    }

    private (int Code, string Out, string Err, List<string> Csv) Record(params string[] args) => Record(args, []);

    private (int Code, string Out, string Err, List<string> Csv) Record(string[] args, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, object?>
        {
            ["Autoscaler:Metrics:Resilience:MaxRetryAttempts"] = "1",
            ["Autoscaler:Metrics:Resilience:BaseDelayMilliseconds"] = "5",
            ["Autoscaler:Stacks:inference:Metrics:Source"] = "Prometheus",
            ["Autoscaler:Stacks:inference:Metrics:PrometheusUrl"] = prometheus.Url + "/",
            ["Autoscaler:Stacks:inference:Metrics:Signals:0:Name"] = "queue_per_instance",
            ["Autoscaler:Stacks:inference:Metrics:Signals:0:Query"] = "sum(vllm:num_requests_waiting)",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var settingsFile = Path.Combine(prometheus.Directory, $"settings-{Guid.NewGuid():N}.json");
        File.WriteAllText(settingsFile, JsonSerializer.Serialize(settings));
        var outFile = Path.Combine(prometheus.Directory, args.Contains("--from") && args[Array.IndexOf(args, "--from") + 1] == Iso(prometheus.From) ? "inference.csv" : $"out-{Guid.NewGuid():N}.csv");
        var all = new List<string> { "record", "--settings", settingsFile, "--out", outFile };
        if (!args.Contains("--stack"))
        {
            all.AddRange(["--stack", "inference"]);
        }

        all.AddRange(args);
        var (code, output, error) = Cli([.. all]);
        return (code, output, error, File.Exists(outFile) ? [.. File.ReadAllLines(outFile)] : []);
    }

    private static JsonElement Backtest(string trace)
    {
        var json = Path.ChangeExtension(trace, ".json");
        var (code, _, error) = Cli("backtest", "--trace", trace, "--policies", "ailb,gce,hpa", "--rate-scale", "0.25", "--seed", "11", "--json", json);
        Assert.True(code == 0, error);
        return JsonDocument.Parse(File.ReadAllText(json)).RootElement.Clone();
    }

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = Program.BuildRoot().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
