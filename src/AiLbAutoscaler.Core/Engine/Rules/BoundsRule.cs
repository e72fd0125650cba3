namespace AiLbAutoscaler.Core.Engine.Rules;

/// <summary>Clamp to [MinSize, MaxSize]: a group outside its bounds is brought inside even without data.</summary>
public sealed class BoundsRule : IDecisionRule
{
    public RulePhase Phase => RulePhase.Constrain;

    public RuleResult? Apply(DecisionContext context, int size)
    {
        var policy = context.Policy;
        var bounded = Math.Clamp(size, policy.MinSize, policy.MaxSize);
        return bounded == size
            ? null
            : RuleResult.To(bounded, new AppliedLimit(bounded > size ? DecisionRules.MinSize : DecisionRules.MaxSize, size, bounded,
                $"bounded to [{policy.MinSize}, {policy.MaxSize}]"));
    }
}
