namespace AiLbAutoscaler.Core.Fleet;

/// <summary>How an apply of a size ended.</summary>
public enum ActuationOutcome
{
    Applied,
    NoChange,

    /// <summary>Another update of the stack is running; try again on a later tick.</summary>
    Busy,
    Failed,

    /// <summary>Not applied because the policy or the caller asked for a dry run.</summary>
    DryRun,

    /// <summary>Not attempted: the decision keeps the size, or the mode is Off.</summary>
    Skipped,
}

/// <summary>What happened when a size was applied, for the audit trail.</summary>
public sealed record ActuationResult(
    ActuationOutcome Outcome,
    string? Message = null,
    TimeSpan Duration = default,
    IReadOnlyDictionary<string, int>? ResourceChanges = null)
{
    public bool Succeeded => Outcome is ActuationOutcome.Applied or ActuationOutcome.NoChange;

    public static ActuationResult Skipped(string why) => new(ActuationOutcome.Skipped, why);
}
