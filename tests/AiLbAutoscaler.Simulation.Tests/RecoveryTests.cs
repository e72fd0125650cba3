using System.Text.Json;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Scoring;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary>Issue 12, aim 2: load events found from the trace alone, and each policy's time until the SLO is back.</summary>
[Trait("Area", "Simulation")]
public sealed class RecoveryTests
{
    [Fact]
    public void A_jump_to_twice_the_previous_minutes_starts_one_event_and_a_sustained_crowd_does_not_start_more()
    {
        // 1,000 per minute, then 2,100 at minute 12 (2.1× the mean of 2–11), held; a second jump at 30 (4,500 ≥ 2 × 2,100).
        double[] minutes = [.. Enumerable.Repeat(1000.0, 12), .. Enumerable.Repeat(2100.0, 18), .. Enumerable.Repeat(4500.0, 5)];
        Assert.Equal([12, 30], LoadEvents.Detect(minutes));

        // 1.9× is no event; neither is a rise of 50 requests from a near-empty trace (≥ 2× but under MinJumpRequests).
        Assert.Empty(LoadEvents.Detect([.. Enumerable.Repeat(1000.0, 12), .. Enumerable.Repeat(1900.0, 5)]));
        Assert.Empty(LoadEvents.Detect([.. Enumerable.Repeat(10.0, 12), 60.0, 60.0]));
    }

    [Fact]
    public void The_slo_is_back_at_the_first_minute_of_three_within_it_measured_from_the_event_start()
    {
        const double slo = 2000;
        var tracker = new RecoveryTracker([10, 30, 50], slo);
        for (var m = 0; m < 60; m++)
        {
            var p95 = m switch
            {
                >= 10 and < 14 => double.PositiveInfinity, // event 10: bad 10–13
                15 => 5000,                                 // one good minute (14), then bad again: not back yet
                37 or 40 => 9000,                           // misses after event 30 had recovered do not move it
                _ => 500,
            };
            tracker.Minute(m, p95);
        }

        var r = tracker.Results;
        Assert.Equal(new EventRecovery(10, 360), r[0]); // 16, 17, 18 good → back at 16: (16 − 10) × 60
        Assert.Equal(new EventRecovery(30, 0), r[1]);   // 30, 31, 32 good
        Assert.Equal(new EventRecovery(50, 0), r[2]);
    }

    [Fact]
    public void An_event_that_never_recovers_before_the_end_has_no_time_and_counts_as_never()
    {
        var tracker = new RecoveryTracker([5], 2000);
        for (var m = 0; m < 9; m++)
        {
            tracker.Minute(m, m is >= 5 and < 7 ? double.PositiveInfinity : 100); // good at 7 and 8 only: two of three
        }

        Assert.Equal([new EventRecovery(5, null)], [.. tracker.Results]);
        var card = new Scorecard("x", 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 60, 1) { Recoveries = tracker.Results };
        Assert.Equal(double.PositiveInfinity, card.WorstRecoverySeconds);
    }

    [Fact]
    public void On_the_spike_scenario_the_event_is_minute_40_and_the_static_fleet_never_misses_while_gce_takes_minutes()
    {
        var result = BacktestRunner.Run(new BacktestRequest
        {
            Trace = TraceSpec.FromScenario(Scenarios.Spike, 1, 42),
            Policies = ["gce", "static"],
        });

        Assert.Equal([40], result.EventMinutes);
        var gce = result.Runs.Single(r => r.Score.Policy == "gce").Score;
        var fixedFleet = result.Runs.Single(r => r.Score.Policy == "static").Score;
        Assert.Equal(0, fixedFleet.WorstRecoverySeconds);
        Assert.True(gce.WorstRecoverySeconds >= result.RecoveryFloorSeconds, $"gce recovered in {gce.WorstRecoverySeconds} s, below the floor {result.RecoveryFloorSeconds} s");

        using var doc = JsonDocument.Parse(BacktestReport.ToJson(result));
        Assert.Equal(40, doc.RootElement.GetProperty("events").GetProperty("minutes")[0].GetInt32());
        Assert.Equal(result.RecoveryFloorSeconds, doc.RootElement.GetProperty("events").GetProperty("recovery_floor_seconds").GetDouble());
        var json = doc.RootElement.GetProperty("results").EnumerateArray().Single(e => e.GetProperty("policy").GetString() == "gce");
        Assert.Equal(gce.WorstRecoverySeconds, json.GetProperty("recovery_seconds").GetDouble());
        Assert.Equal(40, json.GetProperty("recoveries")[0].GetProperty("minute").GetInt32());
    }
}
