using System.CommandLine;
using System.Text.Json;
using AiLbAutoscaler.Cli;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Scoring;
using AiLbAutoscaler.Simulation.Sweep;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary>Issue 12's four aims judged from hand-built sweeps (one pass and one fail each), and <c>ailb aims</c> end to end.</summary>
[Trait("Area", "Simulation")]
public sealed class AimsTests
{
    private const double Floor = 265;

    private static Scorecard Card(string policy, double attainment, double hours, int resizes = 10, int reversals = 2, double? recovery = 300) =>
        new(policy, 1000, 1000, 0, attainment, 0, hours, resizes, reversals, 1, 1, 1, 1, 1, 1, 10, 3600, 1)
        {
            FeasibleRequests = 1000,
            Recoveries = new EventRecoveries(recovery is double r && r < 0 ? [] : [new EventRecovery(40, recovery)]),
        };

    private static SweepPoint Point(Scorecard s, double setting = double.NaN, bool isDefault = false) =>
        new(s.Policy, double.IsNaN(setting) ? "" : "knob", setting, double.IsNaN(setting) ? "(fixed)" : $"knob {setting}", isDefault, s);

    /// <summary>ailb at its default, the oracle, and gce at two settings: 0.5 (more reliable, 100 h) and 0.75 (less, 60 h).</summary>
    private static SweepResult Sweep(Scorecard ailb, Scorecard? oracle = null, double gceHours = 100)
    {
        var reference = Point(ailb, 1, isDefault: true);
        List<SweepPoint> points =
        [
            reference,
            Point(Card(GcePolicy.PolicyName, 0.995, gceHours), 0.5),
            Point(Card(GcePolicy.PolicyName, 0.95, 60), 0.75),
            Point(oracle ?? Card(OraclePolicy.PolicyName, 0.998, 70, resizes: 10, reversals: 4)),
        ];
        return new SweepResult("t", 42, 2000, 0.99, 3600, 1, 1000, new Capacity(0, 1, 1, 1), null, points, reference, [])
        {
            RecoveryFloorSeconds = Floor,
        };
    }

    private static AimVerdict Verdict(SweepResult sweep, int aim) => Aims.Judge(sweep).Single(v => v.Aim == aim);

    [Fact]
    public void Reliability_passes_at_the_target_fails_under_it_and_does_not_apply_where_the_oracle_misses_it()
    {
        Assert.True(Verdict(Sweep(Card("ailb", 0.99, 80)), 1).Passed);
        Assert.False(Verdict(Sweep(Card("ailb", 0.989, 80)), 1).Passed);
        Assert.Null(Verdict(Sweep(Card("ailb", 0.5, 80), oracle: Card(OraclePolicy.PolicyName, 0.98, 70)), 1).Passed);
    }

    [Fact]
    public void Spike_recovery_passes_within_the_floor_plus_60_s_and_fails_beyond_or_when_never_recovered()
    {
        Assert.True(Verdict(Sweep(Card("ailb", 0.995, 80, recovery: Floor + 60)), 2).Passed);
        Assert.False(Verdict(Sweep(Card("ailb", 0.995, 80, recovery: Floor + 61)), 2).Passed);
        Assert.False(Verdict(Sweep(Card("ailb", 0.995, 80, recovery: null)), 2).Passed);
        Assert.Null(Verdict(Sweep(Card("ailb", 0.995, 80, recovery: -1)), 2).Passed); // no event
    }

    [Fact]
    public void Cost_compares_with_the_cheapest_baseline_setting_at_least_as_reliable_and_with_the_oracle()
    {
        // ailb 0.99: gce's cheapest setting at ≥ 0.99 is 0.5 (100 h), not the cheaper, less reliable 0.75.
        Assert.True(Verdict(Sweep(Card("ailb", 0.99, 87.5)), 3).Passed);             // 0.875× gce, 1.25× the oracle's 70 h
        Assert.False(Verdict(Sweep(Card("ailb", 0.99, 87.5), gceHours: 95), 3).Passed); // 0.92× gce
        Assert.False(Verdict(Sweep(Card("ailb", 0.99, 88)), 3).Passed);               // 1.257× the oracle
        // No gce setting is as reliable as ailb: only the oracle bound applies.
        Assert.True(Verdict(Sweep(Card("ailb", 0.999, 87)), 3).Passed);
    }

    [Fact]
    public void Calm_allows_one_and_a_half_times_the_oracles_resizes_and_direction_changes()
    {
        Assert.True(Verdict(Sweep(Card("ailb", 0.995, 80, resizes: 15, reversals: 6)), 4).Passed);
        Assert.False(Verdict(Sweep(Card("ailb", 0.995, 80, resizes: 16, reversals: 6)), 4).Passed);
        Assert.False(Verdict(Sweep(Card("ailb", 0.995, 80, resizes: 15, reversals: 7)), 4).Passed);
    }

    [Fact]
    public void Ailb_aims_prints_each_verdict_writes_json_and_exits_1_when_an_aim_fails()
    {
        var json = Path.Combine(TempFiles.NewDirectory(), "aims.json");
        var output = new StringWriter();
        var error = new StringWriter();
        var code = Program.BuildRoot().Parse(["aims", "--scenario", "spike", "--rate-scale", "0.5", "--seed", "3", "--json", json])
            .Invoke(new InvocationConfiguration { Output = output, Error = error });

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var aims = doc.RootElement.GetProperty("aims").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3, 4], aims.Select(a => a.GetProperty("aim").GetInt32()));
        var failed = aims.Any(a => a.GetProperty("status").GetString() == "fail");
        Assert.Equal(failed ? 1 : 0, code);
        Assert.Equal(!failed, doc.RootElement.GetProperty("all_passed").GetBoolean());
        foreach (var name in new[] { "reliability", "spikes", "cost", "calm" })
        {
            Assert.Contains(name, output.ToString());
        }

        Assert.Contains("first at minute 40", aims[1].GetProperty("detail").GetString());
    }
}
