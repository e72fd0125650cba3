using System.CommandLine;
using System.Text.Json;
using AiLbAutoscaler.Cli;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary><c>ailb sweep</c> and <c>ailb tune</c> end to end, invoked in process.</summary>
[Trait("Area", "Simulation")]
public sealed class SweepCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = Program.BuildRoot().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Sweep_prints_the_fronts_and_one_match_line_per_baseline_and_writes_json_and_a_scatter()
    {
        var dir = TempFiles.NewDirectory();
        var json = Path.Combine(dir, "sweep.json");
        var plot = Path.Combine(dir, "sweep.png");
        var (code, output, error) = Run("sweep", "--scenario", "steady", "--rate-scale", "0.25", "--seed", "3", "--policies", "ailb,gce,gce-lb,oracle", "--json", json, "--plot", plot);

        Assert.True(code == 0, error);
        Assert.Contains("Pareto fronts", output);
        Assert.Contains("ailb default:", output);
        foreach (var baseline in new[] { "gce", "gce-lb" })
        {
            Assert.Single(output.Split('\n'), l => l.StartsWith(baseline + ": ", StringComparison.Ordinal));
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(16, doc.RootElement.GetProperty("runs").GetInt32());
        Assert.Equal(2, doc.RootElement.GetProperty("matches").GetArrayLength());
        Assert.True(new FileInfo(plot).Length > 10_000);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(plot)[..4]);
    }

    [Fact]
    public void Tune_prints_the_cheapest_policy_beside_the_tuned_baselines_and_writes_the_settings()
    {
        var dir = TempFiles.NewDirectory();
        var snippet = Path.Combine(dir, "settings.env");
        var (code, output, error) = Run("tune", "--scenario", "steady", "--rate-scale", "0.25", "--seed", "3", "--attainment", "0.95", "--stack", "chat",
            "--baselines", "gce-lb", "--out", snippet);

        Assert.True(code == 0, error);
        Assert.Contains("gce-lb", output);
        var lines = File.ReadAllLines(snippet);
        Assert.All(lines, l => Assert.Matches(@"^Autoscaler__Stacks__chat__Policy__[A-Za-z0-9_]+=\S*$", l));
        Assert.Contains(lines, l => l.StartsWith("Autoscaler__Stacks__chat__Policy__Signals__0__Target=", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Autoscaler__Stacks__chat__Policy__Forecast__Enabled=", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("Autoscaler__Stacks__chat__Policy__MaxSize=", StringComparison.Ordinal) ||
                                          l.StartsWith("Autoscaler__Stacks__chat__Policy__MinSize=", StringComparison.Ordinal));
        Assert.Contains(lines[0], output);
    }

    [Fact]
    public void The_reactive_bound_sweeps_its_headroom_and_stays_short_of_the_oracle_on_a_spike()
    {
        var json = Path.Combine(TempFiles.NewDirectory(), "bound.json");
        var (code, output, error) = Run("sweep", "--scenario", "spike", "--rate-scale", "0.5", "--seed", "3", "--policies", "oracle-reactive,oracle", "-q", "--json", json);

        Assert.True(code == 0, error);
        Assert.Contains("headroom 1 (default)", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var policies = doc.RootElement.GetProperty("policies").EnumerateArray().ToList();
        var bound = policies.Single(p => p.GetProperty("policy").GetString() == "oracle-reactive").GetProperty("points").EnumerateArray().ToList();
        var oracle = policies.Single(p => p.GetProperty("policy").GetString() == "oracle").GetProperty("points")[0];
        Assert.Equal(8, bound.Count);

        // More headroom never costs less; and no headroom catches a spike that rises faster than visibility plus boot.
        var hours = bound.Select(p => p.GetProperty("instance_hours").GetDouble()).ToList();
        Assert.Equal(hours.Order(), hours);
        Assert.True(hours[^1] > 2 * hours[0], $"headroom 3 should cost over twice headroom 0.8: {string.Join(", ", hours)}");
        var oracleAttainment = oracle.GetProperty("feasible_attainment").GetDouble();
        Assert.All(bound, p => Assert.True(p.GetProperty("feasible_attainment").GetDouble() < oracleAttainment - 0.05,
            $"{p.GetProperty("label").GetString()}: {p.GetProperty("feasible_attainment").GetDouble()} vs the oracle's {oracleAttainment}"));
    }

    [Theory]
    [InlineData(new[] { "tune", "--scenario", "steady", "--attainment", "1.5" }, "--attainment must be in (0, 1]")]
    [InlineData(new[] { "tune", "--scenario", "steady", "--stack", "bad name" }, "--stack 'bad name' is not a valid stack name")]
    [InlineData(new[] { "sweep", "--scenario", "steady", "--policies", "hpa,nope" }, "Unknown policy 'nope'")]
    public void Bad_sweep_and_tune_input_gives_a_clear_error(string[] args, string message)
    {
        var (code, _, error) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }
}
