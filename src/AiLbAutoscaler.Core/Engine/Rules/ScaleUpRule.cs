namespace AiLbAutoscaler.Core.Engine.Rules;

/// <summary>
/// Growth: straight to the proposal in a panic; otherwise to the lowest recommendation of the scale-up stabilization
/// window, at most the scale-up limit (HPA behavior: stabilization, then policies).
/// </summary>
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

        var policy = context.Policy;
        var limits = new List<AppliedLimit>(2);
        var lowest = Lowest(context, size);
        if (lowest < size)
        {
            var to = Math.Max(lowest, current);
            limits.Add(new AppliedLimit(DecisionRules.ScaleUpStabilization, size, to,
                $"lowest recommendation of the last {policy.ScaleUpStabilizationSeconds:0.#} s is {lowest}"));
            if (lowest <= current)
            {
                return new RuleResult(current, limits, Holds: true);
            }

            size = lowest;
        }

        var limit = policy.ScaleUpLimit;
        var cap = RateLimits.ScaleUpCap(limit, current, context.State.ScaleEvents, context.Now);
        if (size > cap)
        {
            limits.Add(new AppliedLimit(DecisionRules.ScaleUpLimit, size, cap,
                $"at most {cap} (max of +{limit.Percent:0.#}% and +{limit.Instances} per {limit.PeriodSeconds:0.#} s)"));
            size = cap;
        }

        return new RuleResult(size, limits);
    }

    /// <summary>The lowest recommendation of the scale-up window, this one included (none when the window is 0).</summary>
    private static int Lowest(DecisionContext context, int size) =>
        context.Policy.ScaleUpStabilizationSeconds <= 0
            ? size
            : context.State.RecommendationRange(context.Now - context.Policy.ScaleUpStabilization, size).Lowest;
}
