namespace AiLbAutoscaler.Core.Engine.Rules;

/// <summary>Growth: straight to the proposal in a panic, otherwise at most the scale-up limit (HPA behavior policies).</summary>
public sealed class ScaleUpRule : IDecisionRule
{
    public RulePhase Phase => RulePhase.Choose;

    public RuleResult? Apply(DecisionContext context, int size)
    {
        var current = context.Current;
        if (size <= current)
        {
            return null;
        }

        var votes = context.Votes;
        if (votes.Panic)
        {
            return RuleResult.To(size, new AppliedLimit(DecisionRules.Panic, size, size,
                $"{votes.PanicSignal} at {votes.PanicLoad:0.##}× what the group can take; scale-up rate limit bypassed"));
        }

        var limit = context.Policy.ScaleUpLimit;
        var cap = RateLimits.ScaleUpCap(limit, current, context.State.ScaleEvents, context.Now);
        return size > cap
            ? RuleResult.To(cap, new AppliedLimit(DecisionRules.ScaleUpLimit, size, cap,
                $"at most {cap} (max of +{limit.Percent:0.#}% and +{limit.Instances} per {limit.PeriodSeconds:0.#} s)"))
            : RuleResult.To(size);
    }
}
