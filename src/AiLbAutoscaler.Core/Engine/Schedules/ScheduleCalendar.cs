using AiLbAutoscaler.Core.Policy;
using Cronos;

namespace AiLbAutoscaler.Core.Engine.Schedules;

/// <summary>A schedule as of one moment: whether its floor holds now, the start it holds for, and its next start.</summary>
/// <param name="ActiveStart">The start whose window (lead before it, duration after it) holds now; null when inactive.</param>
/// <param name="NextStart">The first start after now; null when the expression has none.</param>
public sealed record ScheduleStatus(ScalingSchedule Schedule, DateTimeOffset? ActiveStart, DateTimeOffset? NextStart)
{
    public bool Active => ActiveStart is not null;
}

/// <summary>
/// Reads <see cref="ScalingSchedule"/>s with Cronos, which resolves the expression in the schedule's IANA zone and
/// documents daylight-saving behaviour: a start in a skipped hour runs at the first moment after the gap, a start in a
/// repeated hour runs once (at its first occurrence), and intervals such as <c>*/30</c> run in both offsets.
/// </summary>
public static class ScheduleCalendar
{
    /// <summary>Parses a schedule's expression and zone, or names the setting that is wrong and why (for the validator).</summary>
    public static (CronExpression? Cron, TimeZoneInfo? Zone, string? Setting, string? Problem) Parse(ScalingSchedule schedule)
    {
        CronExpression cron;
        try
        {
            cron = CronExpression.Parse(schedule.Schedule, CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            return (null, null, nameof(schedule.Schedule), $"('{schedule.Schedule}') is not a five-field cron expression: {e.Message}");
        }

        try
        {
            return (cron, TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone), null, null);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return (null, null, nameof(schedule.TimeZone), $"('{schedule.TimeZone}') is not a known IANA time zone.");
        }
    }

    /// <summary>The status of <paramref name="schedule"/> at <paramref name="now"/>, its floor starting <paramref name="lead"/> early.</summary>
    public static ScheduleStatus StatusAt(ScalingSchedule schedule, TimeSpan lead, DateTimeOffset now)
    {
        var (cron, zone, _, _) = Parse(schedule);
        if (cron is null || zone is null || schedule.Disabled)
        {
            return new ScheduleStatus(schedule, null, cron is null || zone is null ? null : cron.GetNextOccurrence(now, zone));
        }

        // Active when some start s has s − lead ≤ now < s + duration: the first start after now − duration, if close enough.
        var candidate = cron.GetNextOccurrence(now - schedule.Duration, zone);
        var active = candidate is { } s && s - lead <= now ? candidate : null;
        return new ScheduleStatus(schedule, active, cron.GetNextOccurrence(now, zone));
    }

    /// <summary>Every schedule of the policy at <paramref name="now"/>, in the policy's order.</summary>
    public static IReadOnlyList<ScheduleStatus> StatusAt(ScalingPolicy policy, DateTimeOffset now) =>
        policy.Schedules.Select(s => StatusAt(s, policy.ScheduleLead, now)).ToList();
}
