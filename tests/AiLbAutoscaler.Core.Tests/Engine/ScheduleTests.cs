using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Engine.Schedules;
using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;
using AiLbAutoscaler.Core.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AiLbAutoscaler.Core.Tests.Engine;

/// <summary>
/// Scaling schedules (GCE, ref §1): a floor from each cron start in an IANA zone for a duration, started early by the
/// initialization period plus the lead; it raises, names itself, stops a scale-in at the floor, and never lowers.
/// </summary>
[Trait("Area", "Schedules")]
public sealed class ScheduleTests
{
    private const string Path = "Autoscaler:Stacks:inference:Policy";

    /// <summary>A daily launch at 09:00 in Berlin, 20 instances for an hour.</summary>
    private static ScalingSchedule Launch(int minSize = 20) => new()
    {
        Name = "launch", Schedule = "0 9 * * *", TimeZone = "Europe/Berlin", DurationSeconds = 3600, MinSize = minSize,
        Description = "daily launch",
    };

    private static ScalingPolicy Policy(params ScalingSchedule[] schedules)
    {
        var policy = Fixtures.Open(Fixtures.Utilization(SignalNames.GpuUtilization, 0.5));
        policy.MaxSize = 50;
        policy.InitializationPeriodSeconds = 120;
        policy.ScheduleLeadSeconds = 180;
        policy.Schedules = [.. schedules];
        return policy;
    }

    private static ScalingDecision DecideAt(ScalingPolicy policy, DateTimeOffset now, int size, double utilization)
    {
        var clock = new FakeTimeProvider(now);
        return new DecisionEngine(clock).Decide(new DecisionInput("svc", policy, new FleetState(size),
            [SignalReading.Of(SignalNames.GpuUtilization, utilization, now)], StackState.Empty)).Decision;
    }

    [Fact]
    public void In_winter_Berlin_is_UTC_plus_1_and_the_floor_starts_init_plus_lead_before_9()
    {
        var policy = Policy(Launch());
        var start = new DateTimeOffset(2026, 1, 15, 8, 0, 0, TimeSpan.Zero); // 09:00 CET
        var lead = TimeSpan.FromSeconds(120 + 180);

        Assert.False(ScheduleCalendar.StatusAt(policy, start - lead - TimeSpan.FromSeconds(1))[0].Active);
        var early = ScheduleCalendar.StatusAt(policy, start - lead)[0];
        Assert.True(early.Active);
        Assert.Equal(start, early.ActiveStart);

        var decision = DecideAt(policy, start - lead, size: 4, utilization: 0.5);
        Assert.Equal(20, decision.DesiredSize);
        Assert.Equal(ScalingAction.ScaleUp, decision.Action);
        var limit = Assert.Single(decision.Limits, l => l.Rule == DecisionRules.Schedule);
        Assert.Equal((4, 20), (limit.Before, limit.After));
        Assert.Contains("'launch'", limit.Detail);
        Assert.Contains("2026-01-15T08:00:00Z", decision.Explanation);
    }

    [Fact]
    public void Across_the_March_change_to_summer_time_the_start_moves_from_08_to_07_UTC()
    {
        var policy = Policy(Launch());
        // Europe/Berlin leaves CET for CEST at 02:00 local on Sunday 29 March 2026.
        var saturday = ScheduleCalendar.StatusAt(policy, new DateTimeOffset(2026, 3, 27, 12, 0, 0, TimeSpan.Zero))[0];
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 8, 0, 0, TimeSpan.Zero), saturday.NextStart);
        var sunday = ScheduleCalendar.StatusAt(policy, new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero))[0];
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 7, 0, 0, TimeSpan.Zero), sunday.NextStart);

        // On the first summer day the floor is there at 06:55 UTC (09:00 CEST minus 5 min) and gone after 08:00 UTC.
        Assert.Equal(20, DecideAt(policy, new DateTimeOffset(2026, 3, 29, 6, 55, 0, TimeSpan.Zero), 4, 0.5).DesiredSize);
        Assert.Equal(4, DecideAt(policy, new DateTimeOffset(2026, 3, 29, 6, 54, 0, TimeSpan.Zero), 4, 0.5).DesiredSize);
        Assert.Equal(4, DecideAt(policy, new DateTimeOffset(2026, 3, 29, 8, 0, 0, TimeSpan.Zero), 4, 0.5).DesiredSize);
    }

    [Fact]
    public void A_start_inside_the_skipped_hour_runs_once_right_after_the_gap_as_Cronos_documents()
    {
        // 02:30 does not exist in Berlin on 29 March 2026: Cronos runs it at 03:00 CEST (01:00 UTC).
        var policy = Policy(new ScalingSchedule { Name = "night", Schedule = "30 2 * * *", TimeZone = "Europe/Berlin", DurationSeconds = 300, MinSize = 9 });
        var next = ScheduleCalendar.StatusAt(policy, new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero))[0].NextStart;
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void The_floor_stops_a_scale_in_and_never_lowers_a_size_above_it()
    {
        var policy = Policy(Launch(minSize: 10));
        var during = new DateTimeOffset(2026, 1, 15, 8, 30, 0, TimeSpan.Zero);

        var scaleIn = DecideAt(policy, during, size: 16, utilization: 0.1); // the signal asks for 4
        Assert.Equal(10, scaleIn.DesiredSize);
        Assert.Contains(scaleIn.Limits, l => l is { Rule: DecisionRules.Schedule, Before: 4, After: 10 });

        var above = DecideAt(policy, during, size: 30, utilization: 0.5); // the signal keeps 30
        Assert.Equal(30, above.DesiredSize);
        Assert.DoesNotContain(above.Limits, l => l.Rule == DecisionRules.Schedule);
    }

    [Fact]
    public void The_largest_active_floor_wins_and_a_disabled_one_does_nothing()
    {
        var small = Launch(minSize: 8);
        small.Name = "small";
        var big = Launch(minSize: 25);
        big.Name = "big";
        big.Disabled = true;
        var mid = Launch(minSize: 15);
        mid.Name = "mid";
        mid.TimeZone = "UTC";
        mid.Schedule = "0 8 * * *";

        var decision = DecideAt(Policy(small, big, mid), new DateTimeOffset(2026, 1, 15, 8, 10, 0, TimeSpan.Zero), 2, 0.5);
        Assert.Equal(15, decision.DesiredSize);
        Assert.Contains("'mid'", Assert.Single(decision.Limits, l => l.Rule == DecisionRules.Schedule).Detail);
    }

    [Fact]
    public void A_manual_override_and_mode_Off_win_over_a_schedule()
    {
        var during = new DateTimeOffset(2026, 1, 15, 8, 30, 0, TimeSpan.Zero);
        var policy = Policy(Launch());
        var clock = new FakeTimeProvider(during);
        var pinned = new DecisionEngine(clock).Decide(new DecisionInput("svc", policy, new FleetState(4),
            [SignalReading.Of(SignalNames.GpuUtilization, 0.5, during)],
            StackState.Empty with { Override = new ManualOverride(3, "maintenance", during.AddHours(1)) })).Decision;
        Assert.Equal(3, pinned.DesiredSize);

        policy.Mode = ScalingMode.Off;
        var off = DecideAt(policy, during, 4, 0.5);
        Assert.Equal(4, off.DesiredSize);
        Assert.Contains(off.Limits, l => l.Rule == DecisionRules.ModeOff);
    }

    public static TheoryData<string, Action<ScalingPolicy>, string> BadSchedules => new()
    {
        { "bad cron", p => p.Schedules[0].Schedule = "0 25 * * *", $"{Path}:Schedules:0:Schedule ('0 25 * * *') is not a five-field cron expression" },
        { "unknown zone", p => p.Schedules[0].TimeZone = "Mars/Olympus", $"{Path}:Schedules:0:TimeZone ('Mars/Olympus') is not a known IANA time zone." },
        { "short", p => p.Schedules[0].DurationSeconds = 299, $"{Path}:Schedules:0:DurationSeconds must be 300 or more (was 299)." },
        { "floor over max", p => p.Schedules[0].MinSize = 11, $"{Path}:Schedules:0:MinSize (11) must lie within [0, MaxSize 10]." },
        { "no name", p => p.Schedules[0].Name = " ", $"{Path}:Schedules:0:Name is required." },
        {
            "129 schedules",
            p => p.Schedules = [.. Enumerable.Range(0, 129).Select(i => new ScalingSchedule { Name = $"s{i}", Schedule = "0 9 * * *", DurationSeconds = 300, MinSize = 1 })],
            $"{Path}:Schedules has 129 schedules; at most 128 are allowed (as in GCE)."
        },
    };

    [Theory]
    [MemberData(nameof(BadSchedules))]
    public void A_bad_schedule_is_named_by_its_setting_path(string name, Action<ScalingPolicy> spoil, string expected)
    {
        _ = name;
        var policy = new ScalingPolicy { Schedules = [Launch(minSize: 5)] };
        Assert.Empty(ScalingPolicyValidator.Validate(policy, Path));
        spoil(policy);
        Assert.Contains(ScalingPolicyValidator.Validate(policy, Path), e => e.StartsWith(expected, StringComparison.Ordinal));
    }
}
