namespace AiLbAutoscaler.Core.Engine.Rules;

/// <summary>
/// One stage of a decision (as in the HPA's normalize → stabilize → rate steps): it takes the size so far and the
/// context and returns the size it allows with the limits it applied, or null when it does not apply.
/// </summary>
public interface IDecisionRule
{
    /// <summary>Where the rule runs; see <see cref="RulePhase"/>.</summary>
    RulePhase Phase { get; }

    RuleResult? Apply(DecisionContext context, int size);
}

public enum RulePhase
{
    /// <summary>The first rule of this phase that applies decides what becomes of the proposal; the rest are skipped.</summary>
    Choose,

    /// <summary>Runs after the choice, every time, in order: floors, bounds, mode.</summary>
    Constrain,
}

/// <summary>The size a rule allows, the limits it applied, and whether it holds the size against the signals.</summary>
public sealed record RuleResult(int Size, IReadOnlyList<AppliedLimit> Limits, bool Holds = false)
{
    public static RuleResult To(int size, AppliedLimit? limit = null, bool holds = false) =>
        new(size, limit is null ? [] : [limit], holds);
}
