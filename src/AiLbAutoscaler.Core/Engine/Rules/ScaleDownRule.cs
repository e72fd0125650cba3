using AiLbAutoscaler.Core.Engine.Release;
using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Core.Engine.Rules;

/// <summary>
/// Shrinking: to the highest recommendation of the stabilization window (GCE, HPA), not while something blocks it, and
/// at most the scale-down limit, unless the load is calm (<see cref="CalmReleaseVoter"/>).
/// </summary>
public sealed class ScaleDownRule : IDecisionRule
{
    public RulePhase Phase => RulePhase.Choose;

    public RuleResult? Apply(DecisionContext context, int size)
    {
        var current = context.Current;
        if (size >= current)
        {
            return null;
        }

        var policy = context.Policy;
        var state = context.State;
        var now = context.Now;
        var limits = new List<AppliedLimit>(2);

        // Stabilization: the highest recommendation of the window, this one included.
        var stabilized = state.RecommendationRange(now - policy.ScaleDownStabilization, size).Highest;

        if (stabilized > size)
        {
            limits.Add(new AppliedLimit(DecisionRules.Stabilization, size, Math.Min(stabilized, current),
                $"highest recommendation of the last {policy.ScaleDownStabilizationSeconds:0.#} s is {stabilized}"));
        }

        if (stabilized >= current)
        {
            return new RuleResult(current, limits, Holds: true);
        }

        if (Blocker(context) is { } blocker)
        {
            limits.Add(new AppliedLimit(DecisionRules.NoScaleDown, stabilized, current, blocker));
            return new RuleResult(current, limits, Holds: true);
        }

        var limit = policy.ScaleDownLimit;
        var floor = RateLimits.ScaleDownFloor(limit, current, state.ScaleEvents, now);
        if (stabilized < floor && CalmReleaseVoter.Calm(context) is { } calm)
        {
            limits.Add(new AppliedLimit(DecisionRules.CalmRelease, floor, stabilized,
                $"{calm}: the scale-down limit (at least {floor}) is lifted"));
            return new RuleResult(stabilized, limits);
        }

        if (stabilized < floor)
        {
            limits.Add(new AppliedLimit(DecisionRules.ScaleDownLimit, stabilized, floor,
                $"at least {floor} (max of −{limit.Percent:0.#}% and −{limit.Instances} per {limit.PeriodSeconds:0.#} s)"));
            return new RuleResult(floor, limits, Holds: floor == current);
        }

        return new RuleResult(stabilized, limits);
    }

    private static string? Blocker(DecisionContext context)
    {
        if (context.Policy.Mode == ScalingMode.ScaleOutOnly)
        {
            return "mode ScaleOutOnly";
        }

        if (context.Votes.Recommendations.FirstOrDefault(r => r.Status is SignalStatus.Missing or SignalStatus.Stale) is { } gap)
        {
            return $"{gap.Signal} is {gap.Status.ToString().ToLowerInvariant()}; never scale down on missing data";
        }

        if (context.Initializing > 0)
        {
            return $"{context.Initializing} instance(s) still initializing";
        }

        return context.State.LastPanicAt is { } panicAt && context.Now - panicAt < context.Policy.ScaleDownStabilization
            ? $"panic at {DecisionContext.Stamp(panicAt)}; waiting for a calm stabilization window"
            : null;
    }
}
