using System.Text.Json;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Sweep;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary>Issue 10: feasibility, the oracle as a bound, the LLM-server baselines, sweeps and their fronts.</summary>
[Trait("Area", "Simulation")]
public sealed class YardstickTests
{
    [Fact]
    public void A_request_whose_prefill_alone_exceeds_the_slo_is_infeasible_and_the_headline_leaves_it_out()
    {
        // SLO 2000 ms; idle TTFT = 15 + 0.12 × prompt ms, so 16,541 tokens (1,999.92 ms) is feasible, 16,542 (2,000.04 ms) is not.
        var path = TempFiles.Write("requests.csv", string.Join('\n',
            "t_ms,prompt_tokens,output_tokens",
            "0,1000,10", "1000,16541,10", "2000,16542,10", "3000,30000,10", "4000,200,10",
            "5000,500,10", "6000,40000,10", "7000,800,10", "8000,100,10", "9000,1200,10") + "\n");
        var options = new SimulationOptions();
        var trace = TraceSpec.FromFile(path, 1, 5);
        var score = Simulator.Run(trace, new StaticPolicy(10), options, new RunSettings { EndMinute = 1 }).Score;

        Assert.Equal(10, score.Requests);
        Assert.Equal(7, score.FeasibleRequests);
        Assert.Equal(0.7, score.FeasibleShare, 12);
        Assert.Equal(0.7, score.SloAttainment, 12); // every feasible one is served in time on ten idle instances
        Assert.Equal(1.0, score.FeasibleAttainment, 12);
    }

    [Fact]
    public void Hitting_max_size_is_said_in_words_and_in_the_json()
    {
        var options = new SimulationOptions { MaxSize = 2 };
        var request = new BacktestRequest { Trace = TraceSpec.FromScenario(Scenarios.Steady, 1, 3), Policies = ["gce-lb", "static"], Options = options };
        var result = BacktestRunner.Run(request);

        Assert.True(result.Capacity.HitMaxSize);
        var warnings = result.MaxSizeWarnings();
        Assert.Contains(warnings, w => w.StartsWith("calibration hit MaxSize: even 2 instances", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("gce-lb asked for MaxSize (2)", StringComparison.Ordinal));

        using var stream = new MemoryStream();
        BacktestReport.WriteJson(result, stream);
        using var doc = JsonDocument.Parse(stream.ToArray());
        Assert.True(doc.RootElement.GetProperty("calibration").GetProperty("hit_max_size").GetBoolean());
        Assert.Equal(warnings, doc.RootElement.GetProperty("warnings").EnumerateArray().Select(e => e.GetString()!).ToList());
        Assert.True(doc.RootElement.GetProperty("results")[0].GetProperty("max_size_hits").GetInt32() > 0);
    }

    [Theory]
    [InlineData(Scenarios.Steady)]
    [InlineData(Scenarios.Diurnal)]
    [InlineData(Scenarios.Spike)]
    [InlineData(Scenarios.Ramp)]
    public void The_oracle_meets_the_slo_target_on_every_built_in_scenario(string scenario)
    {
        var options = new SimulationOptions();
        var result = BacktestRunner.Run(new BacktestRequest { Trace = TraceSpec.FromScenario(scenario, 1, 7), Policies = ["oracle"], Options = options });

        var oracle = result.Runs.Single().Score;
        Assert.True(oracle.FeasibleAttainment >= options.SloTarget, $"oracle {oracle.FeasibleAttainment:P2} on {scenario}");
        Assert.False(result.Plan!.HitMaxSize);
        Assert.True(result.Plan.Levels > 0);
    }

    [Fact]
    public void Each_load_level_gets_the_smallest_fleet_that_serves_it_at_its_own_size()
    {
        // Quiet minutes, then busy ones: each level is calibrated on its first busiest minute (0 and 4), at its own fleet size.
        var path = TempFiles.Minutes([.. Enumerable.Repeat(600.0, 4), .. Enumerable.Repeat(9000.0, 4)]);
        var options = new SimulationOptions();
        var trace = TraceSpec.FromFile(path, 1, 9);
        var profile = trace.MinuteProfile();
        var capacity = Calibration.Run(trace, profile, options);
        var plan = OraclePlan.Build(trace, profile, capacity, options, 2);

        Assert.Equal(2, plan.Levels);
        foreach (var minute in new[] { 0, 4 })
        {
            var n = plan.PerMinute[minute];
            var from = Math.Max(0, minute - 1);
            Assert.True(Calibration.MeetsAt(trace, options, from, minute + 1, n, plan.Aim), $"minute {minute}: {n} should meet the aim");
            Assert.False(n > 1 && Calibration.MeetsAt(trace, options, from, minute + 1, n - 1, plan.Aim), $"minute {minute}: {n - 1} should not");
        }

        Assert.Equal(plan.PerMinute[0], plan.PerMinute[3]);
        Assert.Equal(plan.PerMinute[4], plan.PerMinute[7]);
        Assert.True(plan.PerMinute[4] > plan.PerMinute[0]);
    }

    [Fact]
    public void Hpa_queue_scales_by_the_ratio_of_waiting_requests_to_the_average_value_target()
    {
        var policy = new HpaQueuePolicy(new HpaQueueOptions(), 4, 100);
        var g = new FakeGroup(300, 4, 4, utilization: 1.0, waiting: 10);
        policy.Tick(g);

        // AverageValue 5: ratio 10 / 5 = 2 → ⌈4 × 2⌉ = 8; the limit max(2 × 4, 4 + 4) = 8 does not cut it.
        Assert.Equal([8], g.Resizes);
    }

    [Fact]
    public void Hpa_queue_counts_instances_without_a_sample_at_zero_on_scale_up_and_at_the_target_on_scale_down()
    {
        // 10 ready, but the visible minute's mean of 10 waiting was taken over 6: 10 × 6 / (5 × 10) = 1.2 → ⌈1.2 × 10⌉ = 12.
        var up = new FakeGroup(300, 10, 10, 1.0, waiting: 10, reporting: 6);
        new HpaQueuePolicy(new HpaQueueOptions(), 10, 100).Tick(up);
        Assert.Equal([12], up.Resizes);

        // 1 waiting over 6 of 10: (1 × 6 + 5 × 4) / (5 × 10) = 0.52 → ⌈0.52 × 10⌉ = 6 (the window holds only this recommendation).
        var down = new FakeGroup(300, 10, 10, 0.5, waiting: 1, reporting: 6);
        new HpaQueuePolicy(new HpaQueueOptions(), 10, 100).Tick(down);
        Assert.Equal([6], down.Resizes);
    }

    [Fact]
    public void Gce_lb_sizes_for_the_rate_at_the_target_share_of_max_rate_per_instance()
    {
        // 6,000 requests in the visible minute = 100 req/s; maxRatePerInstance 25 at target 0.8 → ⌈100 / 20⌉ = 5.
        var policy = new GceLbPolicy(new GceLbOptions(), 25, 3, 100);
        var g = new FakeGroup(400, 3, 3, 0.5, arrivals: 6000);
        policy.Tick(g);
        Assert.Equal([5], g.Resizes);

        // 40 req/s → 2, but 5 was recommended within the 600 s stabilization period: held.
        var held = new FakeGroup(700, 5, 5, 0.5, arrivals: 2400);
        policy.Tick(held);
        Assert.Empty(held.Resizes);

        var released = new FakeGroup(1001, 5, 5, 0.5, arrivals: 2400);
        policy.Tick(released);
        Assert.Equal([2], released.Resizes);
    }

    [Fact]
    public void Gce_lb_takes_max_rate_per_instance_from_the_calibration_unless_set()
    {
        var env = new PolicyEnvironment { Options = new SimulationOptions(), MinuteProfile = [600], Capacity = new Capacity(0, 10, 2, 5), Seed = 1 };
        Assert.Equal(5, ((GceLbPolicy)PolicyCatalog.Default.Create("gce-lb", env)).MaxRatePerInstance);
        var set = env.WithOptions<GceLbOptions>(GceLbPolicy.PolicyName, o => o.MaxRatePerInstance = 7);
        Assert.Equal(7, ((GceLbPolicy)PolicyCatalog.Default.Create("gce-lb", set)).MaxRatePerInstance);
    }

    [Fact]
    public void A_sweep_runs_every_grid_point_and_gives_the_same_fronts_twice()
    {
        BacktestRequest Request() => new()
        {
            Trace = TraceSpec.FromScenario(Scenarios.Spike, 0.25, 4),
            Policies = ["ailb", "gce-lb", "static"],
        };

        var first = SweepRunner.Run(Request());
        var second = SweepRunner.Run(Request());

        Assert.Equal(5 + 5 + 1, first.Points.Count);
        Assert.Equal(first.Points.Select(p => (p.Policy, p.Label, p.Score with { WallSeconds = 0 })), second.Points.Select(p => (p.Policy, p.Label, p.Score with { WallSeconds = 0 })));
        Assert.Equal("ailb", first.Reference!.Policy);
        Assert.Equal(1.0, first.Reference.Setting);
        var match = Assert.Single(first.Matches);
        Assert.Equal("gce-lb", match.Policy);
        if (match.Cheapest is { } c)
        {
            Assert.True(c.Score.FeasibleAttainment >= first.Reference.Score.FeasibleAttainment);
            Assert.Equal(c.Score.InstanceHours / first.Reference.Score.InstanceHours, match.CostRatio!.Value, 9);
            Assert.DoesNotContain(first.Points, p => p.Policy == "gce-lb" && p.Score.FeasibleAttainment >= first.Reference.Score.FeasibleAttainment && p.Score.InstanceHours < c.Score.InstanceHours);
        }

        foreach (var policy in first.Policies)
        {
            var front = first.FrontOf(policy);
            Assert.Equal(front.OrderBy(p => p.Score.InstanceHours), front);
            for (var i = 1; i < front.Count; i++)
            {
                Assert.True(front[i].Score.FeasibleAttainment > front[i - 1].Score.FeasibleAttainment);
            }

            // No point of the policy beats a front point on both axes.
            foreach (var f in front)
            {
                Assert.DoesNotContain(first.Points, p => p.Policy == policy && p.Score.InstanceHours < f.Score.InstanceHours && p.Score.FeasibleAttainment >= f.Score.FeasibleAttainment);
            }
        }
    }

    [Fact]
    public void Sweep_json_has_each_policys_points_front_and_the_matches()
    {
        var result = SweepRunner.Run(new BacktestRequest { Trace = TraceSpec.FromScenario(Scenarios.Steady, 0.25, 4), Policies = ["ailb", "hpa-queue"] });
        using var stream = new MemoryStream();
        SweepReport.WriteJson(result, stream);
        using var doc = JsonDocument.Parse(stream.ToArray());
        var root = doc.RootElement;

        Assert.Equal(["trace", "seed", "slo_ms", "slo_target", "sim_seconds", "wall_seconds", "requests", "runs", "calibration", "warnings", "policies", "reference", "matches", "events"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(10, root.GetProperty("runs").GetInt32());
        var policies = root.GetProperty("policies").EnumerateArray().ToList();
        Assert.Equal(["ailb", "hpa-queue"], policies.Select(p => p.GetProperty("policy").GetString()!).ToArray());
        Assert.All(policies, p => Assert.Equal(5, p.GetProperty("points").GetArrayLength()));
        Assert.All(policies, p => Assert.Equal(p.GetProperty("points").EnumerateArray().Count(x => x.GetProperty("on_front").GetBoolean()), p.GetProperty("front").GetArrayLength()));
        Assert.Equal("hpa-queue", root.GetProperty("matches")[0].GetProperty("policy").GetString());
    }

    [Fact]
    public void Ailbs_target_scale_multiplies_every_target_and_keeps_gpu_utilization_a_fraction()
    {
        var policy = Policies.Ailb.AilbDefaults.Create(new SimulationOptions());
        var scaled = SweepKnobs.ScaleTargets(policy, 2.5);
        Assert.Equal(1.0, scaled.TargetFor("gpu_utilization")!.Target);
        Assert.Equal(policy.TargetFor("queue_per_instance")!.Target * 2.5, scaled.TargetFor("queue_per_instance")!.Target, 9);
        Assert.Equal(0.45, policy.TargetFor("gpu_utilization")!.Target); // the original is untouched
    }
}
