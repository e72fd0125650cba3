using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Core.Engine.Rules;

/// <summary>No usable signal: hold, and after <see cref="ScalingPolicy.MissingTicksBeforeFallback"/> ticks the fallback.</summary>
public sealed class MissingDataRule : IDecisionRule
{
    public RulePhase Phase => RulePhase.Choose;

    public RuleResult? Apply(DecisionContext context, int size)
    {
        if (context.Usable)
        {
            return null;
        }

        var policy = context.Policy;
        var current = context.Current;
        var ticks = context.MissingTicks;
        if (ticks >= policy.MissingTicksBeforeFallback && policy.Fallback == FallbackMode.FixedSize && policy.FallbackSize is int fallback)
        {
            // ScaleOutOnly never removes instances, not even for the fallback.
            var desired = policy.Mode == ScalingMode.ScaleOutOnly ? Math.Max(fallback, current) : fallback;
            return RuleResult.To(desired, new AppliedLimit(DecisionRules.Fallback, current, desired,
                $"no usable signal for {ticks} ticks: fallback to fixed size {fallback}" +
                (desired != fallback ? " (mode ScaleOutOnly: not below the current size)" : "")), holds: true);
        }

        var phase = ticks >= policy.MissingTicksBeforeFallback
            ? "fallback: hold"
            : $"holding ({ticks} of {policy.MissingTicksBeforeFallback} before fallback)";
        return RuleResult.To(current, new AppliedLimit(DecisionRules.MissingData, current, current, $"no usable signal; {phase}"), holds: true);
    }
}
