namespace AiLbAutoscaler.Core.Engine.Rules;

/// <summary>
/// Readings set aside because every instance is still initializing are present, not missing: hold, without counting
/// towards the fallback (a fixed-size fallback would otherwise shrink a group that is booting).
/// </summary>
public sealed class WarmUpRule : IDecisionRule
{
    public RulePhase Phase => RulePhase.Choose;

    public RuleResult? Apply(DecisionContext context, int size) =>
        context.WarmingUp
            ? RuleResult.To(context.Current, new AppliedLimit(DecisionRules.Initializing, context.Current, context.Current,
                $"{context.Initializing} instance(s) still initializing and none serving; holding"), holds: true)
            : null;
}
