namespace AiLbAutoscaler.Core.Policy;

/// <summary>
/// A floor for a known event, after GCE's scaling schedules (ref §1): from each start given by <see cref="Schedule"/>
/// in <see cref="TimeZone"/>, the group has at least <see cref="MinSize"/> instances for <see cref="DurationSeconds"/>.
/// Bound from <c>Policy:Schedules:&lt;i&gt;</c>.
/// </summary>
public sealed class ScalingSchedule
{
    /// <summary>Named in decisions and status; unique within the policy.</summary>
    public string Name { get; set; } = "";

    /// <summary>A five-field cron expression (minute hour day-of-month month day-of-week), read by Cronos.</summary>
    public string Schedule { get; set; } = "";

    /// <summary>An IANA time zone such as <c>Europe/Berlin</c>; the cron expression is read in it. Default UTC.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>How long the floor holds from each start: 300 s or more (GCE's minimum).</summary>
    public double DurationSeconds { get; set; } = 3600;

    /// <summary>The floor while the schedule is active (GCE <c>minRequiredReplicas</c>); at most the policy's MaxSize.</summary>
    public int MinSize { get; set; }

    public bool Disabled { get; set; }

    public string? Description { get; set; }

    public TimeSpan Duration => TimeSpan.FromSeconds(DurationSeconds);
}
