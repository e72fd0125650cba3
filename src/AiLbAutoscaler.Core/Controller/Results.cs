using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Engine.Schedules;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.State;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Core.Controller;

public enum TickOutcome
{
    /// <summary>A decision was made (and applied, where it changed the size and this was no dry run).</summary>
    Completed,

    /// <summary>Another writer holds the stack; nothing was done. A timer tick tries again next time; HTTP answers 409.</summary>
    Busy,

    /// <summary>The tick could not decide, for example because the current size could not be read.</summary>
    Failed,

    /// <summary>A queued tick this stack already completed (a retry or a second delivery); nothing was done again.</summary>
    AlreadyDone,

    /// <summary>A timer tick sooner than the stack's tick interval after the last one; nothing was read or decided.</summary>
    NotDue,
}

/// <summary>What one tick, evaluation or rescale of one stack came to.</summary>
public sealed record TickResult(
    string Stack,
    TickOutcome Outcome,
    ScalingDecision? Decision,
    ActuationResult? Actuation,
    string? Error = null,
    bool Recorded = true)
{
    /// <summary>What an answer says when the size changed but the state or audit storage could not record it.</summary>
    public const string NotRecordedNote = "applied, not recorded; the next tick reconciles";

    public static TickResult Busy(string stack) =>
        new(stack, TickOutcome.Busy, null, null, $"Another update of stack '{stack}' is in progress; try again shortly.");

    public static TickResult NotDue(string stack, DateTimeOffset last, TimeSpan interval) =>
        new(stack, TickOutcome.NotDue, null, null, $"Stack '{stack}' ticks every {interval.TotalSeconds:0.#} s; the last timer tick was at {last:HH:mm:ss} UTC.");

    public static TickResult AlreadyDone(string stack, string tickId) =>
        new(stack, TickOutcome.AlreadyDone, null, null, $"Tick '{tickId}' of stack '{stack}' was already done.");
}

/// <summary>A stack's size, override, scaling schedules and recent decisions.</summary>
public sealed record StackStatus(
    string Stack,
    int? CurrentSize,
    string? CurrentSizeError,
    ManualOverride? Override,
    int? PendingDesiredSize,
    string? PendingReason,
    int? LastAppliedSize,
    DateTimeOffset? LastAppliedAt,
    IReadOnlyList<AuditRecord> RecentDecisions,
    IReadOnlyList<ScheduleView> Schedules,
    IReadOnlyList<PoisonedTick>? PoisonedTicks = null);

/// <summary>
/// One scaling schedule as of the status call: whether its floor holds now (its lead included), the start it holds for,
/// and its next start.
/// </summary>
public sealed record ScheduleView(
    string Name,
    string? Description,
    int MinSize,
    string Schedule,
    string TimeZone,
    bool Disabled,
    bool Active,
    DateTimeOffset? ActiveStart,
    DateTimeOffset? NextStart)
{
    public static ScheduleView From(ScheduleStatus status) => new(
        status.Schedule.Name, status.Schedule.Description, status.Schedule.MinSize, status.Schedule.Schedule,
        status.Schedule.TimeZone, status.Schedule.Disabled, status.Active, status.ActiveStart, status.NextStart);
}

/// <summary>A manual rescale: a size, why, and optionally how long to pin it.</summary>
public sealed record RescaleRequest(int TargetSize, string Reason, TimeSpan Hold);

public sealed class UnknownStackException(string stack)
    : Exception($"Unknown stack '{stack}'. Configure it under Autoscaler:Stacks:{stack}.")
{
    public string Stack { get; } = stack;
}

/// <summary>A request that names a bad value; the message says which and why. Nothing was changed.</summary>
public sealed class InvalidRequestException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
