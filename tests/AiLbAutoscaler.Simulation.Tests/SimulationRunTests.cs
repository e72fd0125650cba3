using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Policies.Ailb;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary>Whole runs: determinism, conservation of requests, billing arithmetic, recovery from failed updates.</summary>
[Trait("Area", "Simulation")]
public sealed class SimulationRunTests
{
    private static BacktestResult Backtest(TraceSpec trace, SimulationOptions options, params string[] policies) =>
        BacktestRunner.Run(new BacktestRequest { Trace = trace, Policies = policies, Options = options });

    [Fact]
    public void The_same_seed_gives_the_same_numbers_and_another_seed_does_not()
    {
        var options = new SimulationOptions();
        var a = Backtest(TraceSpec.FromScenario("spike", 0.5, 7), options, "ailb", "hpa", "gce");
        var b = Backtest(TraceSpec.FromScenario("spike", 0.5, 7), options, "ailb", "hpa", "gce");
        var c = Backtest(TraceSpec.FromScenario("spike", 0.5, 8), options, "ailb", "hpa", "gce");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(a.Runs[i].Score with { WallSeconds = 0 }, b.Runs[i].Score with { WallSeconds = 0 });
        }

        Assert.NotEqual(a.Requests, c.Requests);
    }

    [Theory]
    [InlineData("static")]
    [InlineData("ailb")]
    [InlineData("hpa")]
    public void Every_request_is_served_or_counted_dropped(string policy)
    {
        // A tight world: short queues and short drains make the load balancer and scale-in drop requests.
        var options = new SimulationOptions { Instance = { MaxQueue = 2 }, Lifecycle = { DrainTimeoutSeconds = 2 }, InitialSize = 1 };
        var trace = TraceSpec.FromScenario("spike", 0.5, 3);
        var result = Backtest(trace, options, policy);
        var s = result.Runs[0].Score;
        Assert.True(s.Requests > 50_000);
        Assert.Equal(s.Requests, s.Served + s.Dropped);
    }

    [Fact]
    public void Requests_cut_off_by_a_drain_count_as_dropped()
    {
        var options = new SimulationOptions { Lifecycle = { DrainTimeoutSeconds = 0.001 } };
        var trace = TraceSpec.FromFile(TempFiles.Minutes([.. Enumerable.Repeat(1200.0, 10)]), 1, 1);
        var policy = new ScriptedPolicy(4, (600, 1));
        var result = Simulator.Run(trace, policy, options, new RunSettings { EndMinute = 10 });
        Assert.True(result.Score.Dropped > 0);
        Assert.Equal(result.Score.Requests, result.Score.Served + result.Score.Dropped);
    }

    [Fact]
    public void Billing_runs_from_the_creation_request_to_deletion()
    {
        // No traffic, so drains finish at once: 3 instances for 600 s, 5 until 3,600 s, then 2 until the end at 7,200 s.
        var trace = TraceSpec.FromFile(TempFiles.Minutes(new double[120]), 1, 1);
        var policy = new ScriptedPolicy(3, (600, 5), (3600, 2));
        var result = Simulator.Run(trace, policy, new SimulationOptions(), new RunSettings { EndMinute = 120 });
        var expected = (3 * 600 + 5 * 3000 + 2 * 3600) / 3600.0;
        Assert.Equal(expected, result.Score.InstanceHours, 6);
        Assert.Equal(5, result.Score.PeakInstances);
        Assert.Equal(2, result.Score.Resizes);
        Assert.Equal(1, result.Score.DirectionChanges);
    }

    [Fact]
    public void A_static_fleet_bills_size_times_duration()
    {
        var trace = TraceSpec.FromScenario("steady", 0.2, 5);
        var result = Simulator.Run(trace, new StaticPolicy(3), new SimulationOptions(), new RunSettings { EndMinute = 120 });
        Assert.Equal(6.0, result.Score.InstanceHours, 9);
        Assert.Equal(0, result.Score.Resizes);
    }

    [Fact]
    public void Static_size_is_the_smallest_that_meets_the_slo_at_the_busiest_minute()
    {
        var options = new SimulationOptions();
        var trace = TraceSpec.FromScenario("ramp", 0.5, 11);
        var profile = trace.MinuteProfile();
        var capacity = Calibration.Run(trace, profile, options);
        Assert.True(capacity.StaticSize > 1);

        var window = new RunSettings { FromMinute = Math.Max(0, capacity.BusiestMinute - 3), EndMinute = capacity.BusiestMinute + 1 };
        var at = Simulator.Run(trace, new StaticPolicy(capacity.StaticSize), options, window).Score;
        var below = Simulator.Run(trace, new StaticPolicy(capacity.StaticSize - 1), options, window).Score;
        Assert.True(at.FeasibleAttainment >= options.SloTarget);
        Assert.False(below.FeasibleAttainment >= options.SloTarget);
    }

    [Fact]
    public void The_controller_recovers_from_failed_pulumi_updates()
    {
        var options = new SimulationOptions { Pulumi = { FailureProbability = 0.5 } };
        var trace = TraceSpec.FromScenario("ramp", 0.5, 4);
        var profile = trace.MinuteProfile();
        var env = new PolicyEnvironment { Options = options, MinuteProfile = profile, Capacity = Calibration.Run(trace, profile, options), Seed = 4 };
        var ailb = (AilbPolicy)PolicyCatalog.Default.Create("ailb", env);
        var result = Simulator.Run(trace, ailb, options, new RunSettings { EndMinute = profile.Length, RecordTimeline = true });

        Assert.True(ailb.Updates.Failed > 0, "some updates should have failed");
        Assert.True(ailb.Updates.Applied > 0, "later ticks should have applied the size");

        // The ramp ends 10× above where it starts: the fleet must have followed it despite the failures.
        Assert.True(result.Timeline[^1].Stats.Serving >= 3 * result.Timeline[0].Stats.Serving);
    }

    [Fact]
    public void The_ailb_policy_drives_the_real_controller_through_the_ports()
    {
        var options = new SimulationOptions();
        var trace = TraceSpec.FromScenario("spike", 0.5, 9);
        var profile = trace.MinuteProfile();
        var env = new PolicyEnvironment { Options = options, MinuteProfile = profile, Capacity = Calibration.Run(trace, profile, options), Seed = 9 };
        var ailb = (AilbPolicy)PolicyCatalog.Default.Create("ailb", env);

        // The audit keeps the newest 200 decisions (50 min at 15 s): end 30 min after the spike starts at minute 40, so
        // that they hold its resizes (past minute 90 the calm tail holds no change at all).
        var result = Simulator.Run(trace, ailb, options, new RunSettings { EndMinute = 70, RecordTimeline = true });

        var decisions = ailb.RecentDecisions;
        Assert.NotEmpty(decisions);
        Assert.All(decisions, d => Assert.Equal(AiLbAutoscaler.Core.Audit.DecisionTrigger.Simulation, d.Trigger));

        // The sizes it applied show the surge was met.
        Assert.Contains(decisions, d => d.Decision.ChangesSize && d.Actuation.Succeeded);
        Assert.True(ailb.Updates.Applied > 0, "the controller should have applied sizes through the simulated Pulumi port");
        Assert.True(result.Timeline.Max(r => r.Stats.Serving) > 2 * result.Timeline[0].Stats.Serving, "the spike should have grown the fleet");

        // Decisions are stamped with simulated time (epoch + minutes), not the wall clock.
        Assert.All(decisions, d => Assert.True(d.At < SimTimeProvider.Epoch.AddHours(3)));
    }

    /// <summary>A test policy that resizes at fixed times.</summary>
    private sealed class ScriptedPolicy(int initial, params (double At, int Size)[] steps) : ISimPolicy
    {
        public string Name => "scripted";

        public double TickSeconds => 60;

        public int InitialSize => initial;

        public void Tick(ISimulatedGroup group)
        {
            foreach (var (at, size) in steps)
            {
                if (Math.Abs(group.Now - at) < 1e-6)
                {
                    group.Resize(size);
                }
            }
        }
    }
}
