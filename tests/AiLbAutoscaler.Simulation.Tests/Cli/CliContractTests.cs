using System.Text.Json;

namespace AiLbAutoscaler.Simulation.Tests.Cli;

/// <summary>
/// The exit-code and output contract of every command (docs/cli.md), each case run as its own <c>dotnet ailb.dll</c>
/// process: 0 ok, 1 a run that found a problem, 2 bad input; results on stdout, everything else on stderr; errors that
/// name the flag or key, never a .NET type; no stack trace.
/// </summary>
[Trait("Area", "Cli")]
public sealed class CliContractTests
{
    private const string Small = "steady";

    private static AilbProcess.Result Run(params string[] args) => AilbProcess.Run(args);

    /// <summary>Nothing a user should not see: stack frames, .NET type names, the help dump.</summary>
    private static void AssertClean(AilbProcess.Result r)
    {
        var all = r.Out + r.Err;
        Assert.DoesNotContain("   at ", all);
        Assert.DoesNotContain("Exception", all);
        Assert.DoesNotContain("System.", all);
        Assert.DoesNotContain("AiLbAutoscaler.", all);
        Assert.DoesNotContain("Description:", all);
    }

    private static void AssertBadInput(AilbProcess.Result r, params string[] expected)
    {
        Assert.True(r.Code == 2, r.ToString());
        Assert.Equal("", r.Out);
        foreach (var e in expected)
        {
            Assert.True(r.Err.Contains(e, StringComparison.Ordinal), $"stderr lacks '{e}':\n{r}");
        }

        Assert.Contains("error: ", r.Err);
        AssertClean(r);
        Assert.True(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 5, r.ToString());
    }

    [Theory]
    [InlineData("--seed", "simulate", "--seed", "abc")]
    [InlineData("--bogus", "simulate", "--bogus")]
    [InlineData("--rate-scale", "backtest", "--rate-scale", "abc")]
    [InlineData("--slo-ms", "simulate", "--slo-ms", "0")]
    [InlineData("--output", "backtest", "-o", "xml")]
    [InlineData("--from", "history", "--stack", "web", "--from", "yesterday")]
    [InlineData("--stack", "history")]
    [InlineData("--limit", "history", "--stack", "web", "--limit", "0")]
    [InlineData("--stack", "metrics")]
    [InlineData("--output", "metrics", "--stack", "web", "-o", "yaml")]
    [InlineData("command", "")]
    public void A_parse_error_exits_2_with_a_short_message_and_a_hint_on_stderr(string flag, params string[] args)
    {
        var r = Run([.. args.Where(a => a.Length > 0)]);
        AssertBadInput(r, flag, "hint: 'ailb");
    }

    [Theory]
    [InlineData("Unknown policy 'karpenter'", "backtest", "--scenario", Small, "--policies", "ailb,karpenter")]
    [InlineData("Unknown scenario 'tsunami'", "backtest", "--scenario", "tsunami")]
    [InlineData("either --trace or --scenario", "simulate", "--trace", "x.csv", "--scenario", "spike")]
    [InlineData("--policy", "simulate", "--scenario", Small, "--policy", "ailb,hpa")]
    [InlineData("--window", "backtest", "--scenario", Small, "--window", "90..30")]
    [InlineData("--window", "simulate", "--scenario", Small, "--window", "soon")]
    [InlineData("--rate-scale", "simulate", "--rate-scale", "1e300")]
    [InlineData("--rate-scale", "backtest", "--rate-scale", "1e6")]
    public void Bad_input_exits_2_and_names_what_is_wrong(string message, params string[] args) =>
        AssertBadInput(Run(args), message);

    [Fact]
    public void Output_paths_are_checked_before_the_run()
    {
        var dir = TempFiles.NewDirectory();
        var file = Path.Combine(dir, "taken");
        File.WriteAllText(file, "x");

        var started = DateTime.UtcNow;
        AssertBadInput(Run("simulate", "--out", file), "--out", "is a file");
        AssertBadInput(Run("backtest", "--scenario", Small, "--json", dir), "--json", "is a folder");
        AssertBadInput(Run("backtest", "--scenario", Small, "--json", Path.Combine(file, "r.json")), "--json", "is a file");
        AssertBadInput(Run("backtest", "--scenario", Small, "--plot", Path.Combine(dir, "c.svg")), "--plot", "'.svg'", ".png");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), "the checks ran after a simulation");
        Assert.Equal(["taken"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Config_keys_that_are_unknown_unused_or_mistyped_are_errors_naming_the_key()
    {
        var typo = TempFiles.Write("typo.json", "{\n  \"Simulation\": { \"Instance\": { \"BatchSise\": 8 } }\n}\n");
        AssertBadInput(Run("simulate", "--config", typo), typo, "unknown key 'BatchSise' in Simulation.Instance");

        var policy = TempFiles.Write("policy.json", "{ \"Scenario\": \"steady\", \"Policy\": \"hpa\" }");
        AssertBadInput(Run("backtest", "--config", policy), "'Policy'", "'Policies'");

        var policies = TempFiles.Write("policies.json", "{ \"Scenario\": \"steady\", \"Policies\": \"hpa,gce\" }");
        AssertBadInput(Run("simulate", "--config", policies), "'Policies'", "'Policy'");

        var type = TempFiles.Write("type.json", "{ \"Simulation\": { \"SloMs\": \"fast\" } }");
        AssertBadInput(Run("simulate", "--config", type), "Simulation.SloMs", "a number");

        var zero = TempFiles.Write("zero.json", "{ \"Simulation\": { \"SloMs\": 0 } }");
        AssertBadInput(Run("simulate", "--config", zero), zero, "Simulation:SloMs");
    }

    [Theory]
    [InlineData("minute,requests\n0,0\n1,0\n2,0\n", "all zero")]
    [InlineData("minute,requests\n", "no requests")]
    public void An_empty_or_all_zero_trace_exits_2(string content, string message)
    {
        var trace = TempFiles.Write("t.csv", content);
        AssertBadInput(Run("backtest", "--trace", trace), "no requests", message);
        AssertBadInput(Run("simulate", "--trace", trace), "no requests");
    }

    [Fact]
    public void Simulate_puts_results_on_stdout_and_progress_on_stderr()
    {
        var dir = TempFiles.NewDirectory();
        var r = Run("simulate", "--scenario", Small, "--rate-scale", "0.25", "--out", dir);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains("feasible att.", r.Out);
        Assert.Contains("calibration", r.Err);
        Assert.Contains("expect about", r.Err);
        Assert.Contains("wrote", r.Err);
        Assert.DoesNotContain("calibration", r.Out);
        Assert.DoesNotContain("wrote", r.Out);
        Assert.DoesNotContain("ailb simulate:", r.Out);
        AssertClean(r);
        Assert.True(File.Exists(Path.Combine(dir, "chart.png")));
    }

    [Fact]
    public void Quiet_leaves_stderr_empty_on_success()
    {
        var r = Run("backtest", "--scenario", Small, "--rate-scale", "0.25", "--policies", "static,oracle", "-q");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal("", r.Err);
        Assert.Contains("oracle", r.Out);
    }

    [Theory]
    [InlineData("simulate", "-o", "json")]
    [InlineData("backtest", "-o", "json", "--policies", "ailb,static,oracle")]
    [InlineData("backtest", "--json", "-", "--policies", "ailb,static,oracle")]
    public void Json_goes_to_stdout_as_one_document_with_the_new_keys(params string[] args)
    {
        var dir = TempFiles.NewDirectory();
        var r = AilbProcess.Run([.. args, "--scenario", Small, "--rate-scale", "0.25", "--seed", "7", .. (args[0] == "simulate" ? new[] { "--out", dir } : [])], workingDirectory: dir);
        Assert.True(r.Code == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal(["trace", "seed", "slo_ms", "sim_seconds", "gap_minutes", "wall_seconds", "requests", "requests_per_wall_second"],
            root.EnumerateObject().Select(p => p.Name).Take(8).ToArray());
        Assert.Equal(0.25, root.GetProperty("rate_scale").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("trace_path").ValueKind);
        Assert.True(root.GetProperty("static_size").GetInt32() >= 1);
        Assert.Equal(7, root.GetProperty("seed").GetInt32());
        foreach (var result in root.GetProperty("results").EnumerateArray())
        {
            var requests = root.GetProperty("requests").GetInt64();
            Assert.Equal(requests, result.GetProperty("served").GetInt64() + result.GetProperty("dropped").GetInt64());
        }

        Assert.False(File.Exists(Path.Combine(dir, "-")));
    }

    [Fact]
    public void Aims_json_goes_to_stdout_as_one_document_and_the_exit_code_says_whether_an_aim_failed()
    {
        var r = AilbProcess.Run(["aims", "--scenario", Small, "--rate-scale", "0.25", "--seed", "7", "-o", "json"], workingDirectory: TempFiles.NewDirectory());
        using var doc = JsonDocument.Parse(r.Out);
        var passed = doc.RootElement.GetProperty("all_passed").GetBoolean();
        Assert.True(r.Code == (passed ? 0 : 1), r.ToString());
        Assert.Equal(4, doc.RootElement.GetProperty("aims").GetArrayLength());
        Assert.DoesNotContain("Exception", r.Err);
    }

    [Fact]
    public void Backtest_json_names_the_trace_file_it_replayed()
    {
        var trace = TempFiles.Minutes([.. Enumerable.Repeat(300.0, 30)]);
        var r = Run("backtest", "--trace", trace, "--policies", "static", "-o", "json", "-q");
        Assert.True(r.Code == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(trace, doc.RootElement.GetProperty("trace_path").GetString());
    }

    [Fact]
    public void The_table_fits_the_terminal_and_wide_shows_every_column()
    {
        var env = new Dictionary<string, string?> { ["COLUMNS"] = "80" };
        var args = new[] { "backtest", "--scenario", Small, "--rate-scale", "0.25" };
        var narrow = AilbProcess.Run(args, env);
        Assert.True(narrow.Code == 0, narrow.ToString());
        Assert.All(narrow.Out.Split('\n'), line => Assert.True(line.TrimEnd('\r').Length <= 80, $"{line.Length} columns: {line}"));
        Assert.DoesNotContain("dir. changes", narrow.Out);
        Assert.Contains("feasible att.", narrow.Out);
        Assert.Contains("--wide", narrow.Err);

        var wide = AilbProcess.Run([.. args, "--wide"], env);
        Assert.True(wide.Code == 0, wide.ToString());
        Assert.Contains("dir. changes", wide.Out);
        Assert.DoesNotContain("--wide", wide.Err);
    }

    [Fact]
    public void Backtest_and_simulate_default_to_the_same_scenario()
    {
        var simulate = Run("simulate", "--rate-scale", "0.02", "--policy", "static", "-o", "json", "-q", "--out", TempFiles.NewDirectory());
        var backtest = Run("backtest", "--rate-scale", "0.02", "--policies", "static", "-o", "json", "-q");
        Assert.True(simulate.Code == 0, simulate.ToString());
        Assert.True(backtest.Code == 0, backtest.ToString());
        using var s = JsonDocument.Parse(simulate.Out);
        using var b = JsonDocument.Parse(backtest.Out);
        Assert.Equal("scenario:diurnal", s.RootElement.GetProperty("trace").GetString());
        Assert.Equal("scenario:diurnal", b.RootElement.GetProperty("trace").GetString());
    }

    [Fact]
    public void The_plot_is_written_in_the_format_its_extension_names()
    {
        var dir = TempFiles.NewDirectory();
        var jpg = Path.Combine(dir, "c.jpg");
        var r = Run("backtest", "--scenario", Small, "--rate-scale", "0.25", "--policies", "ailb,static", "-q", "--plot", jpg);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal([0xFF, 0xD8, 0xFF], File.ReadAllBytes(jpg)[..3]);
    }

    [Fact]
    public void Reaching_max_size_is_said_in_words()
    {
        var config = TempFiles.Write("small.json", "{ \"Simulation\": { \"MaxSize\": 2 } }");
        var r = Run("backtest", "--config", config, "--scenario", Small, "--rate-scale", "0.5", "--policies", "hpa,static", "-q");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains("warning: the calibration reached Simulation:MaxSize (2)", r.Err);
        Assert.Contains("warning: hpa reached Simulation:MaxSize (2)", r.Err);
    }

    [Fact]
    public void History_and_metrics_reject_an_unknown_stack_with_exit_2()
    {
        var settings = TempFiles.Write("s.json", """
            { "Autoscaler": { "Storage": { "ConnectionString": "UseDevelopmentStorage=true" },
              "Stacks": { "web": { "Metrics": { "Source": "CloudMonitoring", "Project": "demo", "BackendServiceName": "be" } } } } }
            """);
        AssertBadInput(Run("history", "--stack", "nope", "--settings", settings), "--stack", "'nope'", "known: web");
        AssertBadInput(Run("metrics", "--stack", "nope", "--settings", settings), "--stack", "'nope'", "known: web");
    }

    [Fact]
    public void A_bad_enum_setting_lists_the_valid_values()
    {
        var settings = TempFiles.Write("s.json", """{ "Autoscaler": { "Stacks": { "web": { "Metrics": { "Source": "Cloudy" } } } } }""");
        AssertBadInput(Run("metrics", "--stack", "web", "--settings", settings), "Autoscaler:Stacks:web:Metrics:Source", "'Cloudy'", "CloudMonitoring, Prometheus");
    }

    [Fact]
    public void Metrics_without_credentials_prints_the_cause_once_with_the_fix_and_exits_1()
    {
        var home = TempFiles.NewDirectory();
        var settings = TempFiles.Write("m.json", """
            { "Autoscaler": { "Metrics": { "CloudMonitoringEndpoint": "http://127.0.0.1:1/" },
              "Stacks": { "web": { "Metrics": { "Source": "CloudMonitoring", "Project": "demo", "BackendServiceName": "be", "InstanceGroupName": "mig" } } } } }
            """);
        // No Application Default Credentials: no variable, an empty HOME (no gcloud file), and the metadata server
        // pointed at a closed loopback port (Google.Apis.Auth reads GCE_METADATA_HOST), so nothing leaves the machine.
        var env = new Dictionary<string, string?> { ["GOOGLE_APPLICATION_CREDENTIALS"] = null, ["HOME"] = home, ["GCE_METADATA_HOST"] = "127.0.0.1:1" };
        var r = AilbProcess.Run(["metrics", "--stack", "web", "--settings", settings], env);
        Assert.True(r.Code == 1, r.ToString());
        Assert.Contains("latency_p95_ms", r.Out);
        Assert.Contains("missing", r.Out);
        Assert.DoesNotContain("credentials", r.Out, StringComparison.OrdinalIgnoreCase);
        Assert.Single(r.Err.Split('\n'), l => l.Contains("default credentials were not found", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Autoscaler__Metrics__CredentialsFile", r.Err);
        Assert.True(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 3, r.ToString());
        AssertClean(r);

        var json = AilbProcess.Run(["metrics", "--stack", "web", "--settings", settings, "-o", "json"], env);
        Assert.True(json.Code == 1, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal("web", doc.RootElement.GetProperty("stack").GetString());
        Assert.All(doc.RootElement.GetProperty("signals").EnumerateArray(), s => Assert.Equal(JsonValueKind.Null, s.GetProperty("value").ValueKind));
    }

    [Fact]
    public void History_says_an_unreachable_account_with_exit_1()
    {
        var settings = TempFiles.Write("dead.json", """
            { "Autoscaler": { "Storage": { "ConnectionString": "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=bm90LWEtcmVhbC1rZXktZm9yLXRlc3Rz;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;", "MaxRetries": 0 },
              "Stacks": { "web": { "Policy": { "MaxSize": 3 } } } } }
            """);
        var r = Run("history", "--stack", "web", "--settings", settings, "-o", "json");
        Assert.True(r.Code == 1, r.ToString());
        Assert.Equal("", r.Out);
        Assert.Contains("error: ", r.Err);
        Assert.DoesNotContain("bm90LWEtcmVhbC1rZXktZm9yLXRlc3Rz", r.Err);
        AssertClean(r);
    }

    [Fact]
    public void Help_still_works_and_exits_0()
    {
        var r = Run("backtest", "--help");
        Assert.Equal(0, r.Code);
        Assert.Contains("--window", r.Out);
        Assert.Contains("--wide", r.Out);
        Assert.Contains("table|json", r.Out);
    }
}
