using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Policies.Ailb;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary>
/// Scaling schedules run in backtests: the spike scenario's crowd arrives at minute 40 of the simulated Monday
/// 2026-01-05 (00:40 UTC, 01:40 in Berlin). A schedule for that known event has its floor in place before the crowd.
/// </summary>
[Trait("Area", "Simulation")]
public sealed class ScheduleBacktestTests
{
    private const int Floor = 40;

    [Fact]
    public void A_schedule_for_a_known_event_has_the_floor_serving_before_the_crowd_arrives()
    {
        var options = new SimulationOptions();
        var trace = TraceSpec.FromScenario(Scenarios.Spike, 1, 42);
        var plain = Run(trace, options, AilbDefaults.Create(options));

        var scheduled = AilbDefaults.Create(options);
        scheduled.Schedules =
        [
            new ScalingSchedule
            {
                Name = "launch", Schedule = "40 1 * * *", TimeZone = "Europe/Berlin", DurationSeconds = 900, MinSize = Floor,
                Description = "the spike scenario's crowd, 01:40 Berlin time",
            },
        ];
        var withSchedule = Run(trace, options, scheduled);

        // The floor begins InitializationPeriodSeconds + ScheduleLeadSeconds before 00:40 UTC: it is ordered by minute 36.
        var lead = (scheduled.InitializationPeriodSeconds + scheduled.ScheduleLeadSeconds) / 60;
        Assert.True(withSchedule.Timeline.Single(r => r.Stats.Minute == (int)(40 - lead)).Desired >= Floor);
        Assert.True(plain.Timeline.Single(r => r.Stats.Minute == 39).Desired < Floor, "without it the group is small before the crowd");

        // ... and it serves when the crowd comes, so the run meets the SLO target, which the reactive default does not.
        Assert.True(withSchedule.Timeline.Single(r => r.Stats.Minute == 40).Stats.Serving >= Floor);
        Assert.True(withSchedule.Score.SloAttainment >= options.SloTarget && plain.Score.SloAttainment < options.SloTarget - 0.05,
            $"with the schedule {withSchedule.Score.SloAttainment:P2}, without {plain.Score.SloAttainment:P2}");
    }

    private static PolicyRun Run(TraceSpec trace, SimulationOptions options, ScalingPolicy policy) =>
        BacktestRunner.Run(new BacktestRequest
        {
            Trace = trace, Policies = [AilbPolicy.PolicyName], Options = options, Settings = PolicySettings.Empty.With(AilbOptions.Section, new AilbOptions { Policy = policy }), RecordTimeline = true,
        }).Runs.Single();
}
