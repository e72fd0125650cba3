using System.Globalization;
using Cronos;

namespace AiLbAutoscaler.Functions.Dispatch;

/// <summary>
/// The occurrence a timer invocation stands for, from AUTOSCALER_SCHEDULE: due at the latest occurrence at or before now,
/// worthless once the next one is due. The tick id names the occurrence, so every message of it (a retry, or a second
/// timer run of the same occurrence) carries the same id.
/// </summary>
public sealed class TickSchedule
{
    private static readonly TimeSpan[] LookBack = [TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(32), TimeSpan.FromDays(367)];
    private readonly CronExpression? _cron;
    private readonly TimeSpan _every;

    /// <exception cref="FormatException">Neither six NCRONTAB fields nor an hh:mm:ss interval.</exception>
    public TickSchedule(string schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (TimeSpan.TryParseExact(schedule.Trim(), @"hh\:mm\:ss", CultureInfo.InvariantCulture, out var every) && every > TimeSpan.Zero)
        {
            _every = every;
        }
        else
        {
            _cron = CronExpression.Parse(schedule.Trim(), CronFormat.IncludeSeconds);
        }
    }

    public (DateTimeOffset DueAt, DateTimeOffset ExpiresAt) OccurrenceAt(DateTimeOffset now)
    {
        if (_cron is null)
        {
            // An interval schedule has no fixed grid: the occurrence is the invocation itself.
            return (now, now + _every);
        }

        foreach (var back in LookBack)
        {
            var last = _cron.GetOccurrences(now - back, now, TimeZoneInfo.Utc, fromInclusive: true, toInclusive: true).LastOrDefault();
            if (last != default)
            {
                var next = _cron.GetNextOccurrence(last, TimeZoneInfo.Utc, inclusive: false) ?? last.AddYears(1);
                return (last, next);
            }
        }

        throw new InvalidOperationException("The schedule had no occurrence in the past year.");
    }

    /// <summary>A sortable UTC id of an occurrence, to the second: 20261126T120000Z.</summary>
    public static string TickId(DateTimeOffset dueAt) => dueAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
}
