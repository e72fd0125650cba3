using System.CommandLine;
using System.Text.Json;
using AiLbAutoscaler.Cli;
using AiLbAutoscaler.Cli.Conventions;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary>The ailb commands end to end, invoked in process.</summary>
[Trait("Area", "Simulation")]
public sealed class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CommandRunner.Invoke(Program.BuildRoot(), args, new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Simulate_writes_a_timeline_and_a_chart()
    {
        var dir = TempFiles.NewDirectory();
        var (code, output, error) = Run("simulate", "--scenario", "steady", "--rate-scale", "0.25", "--out", dir);
        Assert.True(code == 0, error);
        Assert.Contains("ailb", output);
        var csv = File.ReadAllLines(Path.Combine(dir, "timeline.csv"));
        Assert.StartsWith("minute,requests_per_s,desired,target,serving", csv[0]);
        Assert.Equal(121, csv.Length); // header + 120 minutes
        var png = File.ReadAllBytes(Path.Combine(dir, "chart.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp*"));
    }

    [Fact]
    public void Backtest_writes_json_with_the_documented_keys()
    {
        var dir = TempFiles.NewDirectory();
        var json = Path.Combine(dir, "out.json");
        var plot = Path.Combine(dir, "plot.png");
        var (code, output, error) = Run("backtest", "--scenario", "spike", "--rate-scale", "0.25", "--policies", "ailb,hpa,gce,static,oracle",
            "--seed", "3", "--slo-ms", "2500", "--json", json, "--plot", plot);
        Assert.True(code == 0, error);
        foreach (var p in new[] { "ailb", "hpa", "gce", "static", "oracle" })
        {
            Assert.Contains(p, output);
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.Equal(
            ["trace", "seed", "slo_ms", "sim_seconds", "gap_minutes", "wall_seconds", "requests", "requests_per_wall_second",
             "rate_scale", "trace_path", "static_size", "max_size", "calibration_at_max_size", "calibration", "warnings", "results", "events"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(3, root.GetProperty("seed").GetInt64());
        Assert.Equal(2500, root.GetProperty("slo_ms").GetDouble());
        var results = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(5, results.Count);
        Assert.Equal(
            ["policy", "feasible_attainment", "slo_attainment", "feasible_share", "max_size_hits", "violation_minutes", "instance_hours", "cost_vs_oracle", "resizes", "direction_changes",
             "ttft_p50_ms", "ttft_p95_ms", "ttft_p99_ms", "e2e_p95_ms", "peak_instances", "served", "dropped", "reached_max_size",
             "recovery_seconds", "unrecovered_events", "recoveries"],
            results[0].EnumerateObject().Select(p => p.Name).ToArray());
        var oracle = results.Single(r => r.GetProperty("policy").GetString() == "oracle");
        Assert.Equal(1.0, oracle.GetProperty("cost_vs_oracle").GetDouble());
        Assert.True(File.Exists(plot));
    }

    [Theory]
    [InlineData(new[] { "backtest", "--scenario", "spike", "--policies", "ailb,karpenter" }, "Unknown policy 'karpenter'")]
    [InlineData(new[] { "backtest", "--scenario", "tsunami" }, "Unknown scenario 'tsunami'")]
    [InlineData(new[] { "simulate", "--trace", "x.csv", "--scenario", "spike" }, "either --trace or --scenario")]
    [InlineData(new[] { "simulate", "--scenario", "steady", "--rate-scale", "-2" }, "--rate-scale must be more than 0")]
    [InlineData(new[] { "simulate", "--scenario", "steady", "--slo-ms", "0" }, "--slo-ms must be more than 0")]
    public void Bad_input_gives_a_clear_error(string[] args, string message)
    {
        var (code, _, error) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }

    [Fact]
    public void An_unknown_flag_is_an_error()
    {
        var (code, output, error) = Run("simulate", "--frobnicate", "3");
        Assert.NotEqual(0, code);
        Assert.Contains("--frobnicate", output + error);
    }

    [Fact]
    public void A_malformed_trace_names_the_line_and_leaves_no_output_behind()
    {
        var trace = TempFiles.Write("broken.csv", "t_ms,prompt_tokens,output_tokens\n0,10,5\n10,10,5\n20,ten,5\n");
        var json = Path.Combine(Path.GetDirectoryName(trace)!, "result.json");
        var (code, _, error) = Run("backtest", "--trace", trace, "--json", json);
        Assert.Equal(2, code);
        Assert.Contains($"{trace}:4:", error);
        Assert.False(File.Exists(json));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(trace)!, "*.tmp*"));
    }

    [Fact]
    public void A_config_file_sets_parameters_and_flags_override_it()
    {
        var config = TempFiles.Write("sim.json", """
            {
              "Scenario": "steady",
              "RateScale": 0.25,
              "Seed": 5,
              "Policies": "static,oracle",
              "Simulation": { "SloMs": 3000, "Pulumi": { "FailureProbability": 0 } },
              "Hpa": { "UtilizationTarget": 0.5 }
            }
            """);
        var json = Path.Combine(Path.GetDirectoryName(config)!, "r.json");
        var (code, _, error) = Run("backtest", "--config", config, "--seed", "6", "--json", json);
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(6, doc.RootElement.GetProperty("seed").GetInt64());
        Assert.Equal(3000, doc.RootElement.GetProperty("slo_ms").GetDouble());
        Assert.Equal(2, doc.RootElement.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public void A_bad_baseline_setting_in_the_config_is_an_error()
    {
        var config = TempFiles.Write("bad-hpa.json", "{ \"Hpa\": { \"UtilizationTarget\": 0 } }");
        var (code, _, error) = Run("backtest", "--scenario", "steady", "--config", config);
        Assert.Equal(2, code);
        Assert.Contains("Hpa: UtilizationTarget", error);
    }

    [Fact]
    public void A_misspelt_config_key_is_an_error_naming_the_file()
    {
        var config = TempFiles.Write("typo.json", "{\n  \"Simulation\": { \"SloMS\": 3000, \"Instance\": { \"BatchSise\": 8 } }\n}\n");
        var (code, _, error) = Run("simulate", "--config", config);
        Assert.Equal(2, code);
        Assert.Contains(config, error);
        Assert.Contains("BatchSise", error);
    }
}
