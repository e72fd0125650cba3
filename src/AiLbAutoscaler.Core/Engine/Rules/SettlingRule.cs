using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Core.Engine.Rules;

/// <summary>
/// While new capacity settles (<see cref="SettlingOptions"/>), a scale-up is capped at the largest request-rate vote: the
/// per-instance means that ask for more show the backlog the new instances are draining. It never lowers a size below the
/// current one, and it does nothing without instance ages or when a rate vote asks for as much.
/// </summary>
public sealed class SettlingRule : IDecisionRule
{
    public RulePhase Phase => RulePhase.Constrain;

    public RuleResult? Apply(DecisionContext context, int size)
    {
        var options = context.Policy.Settling;
        if (!options.Enabled || size <= context.Current || context.Input.Fleet.NewestServingFor(context.Policy.InitializationPeriod) is not { } served ||
            served.TotalSeconds >= options.Seconds)
        {
            return null;
        }

        // Votes by a request rate (PerInstance kind: demand, a rate target, the trend, the forecast) are not inflated by a backlog.
        var rate = context.Votes.Recommendations
            .Where(r => r is { Status: SignalStatus.Used, Kind: TargetKind.PerInstance, RecommendedSize: int })
            .Select(r => (r.Signal, Size: r.RecommendedSize!.Value))
            .DefaultIfEmpty((Signal: "", Size: context.Current))
            .MaxBy(r => r.Size);
        var cap = Math.Max(context.Current, rate.Size);
        if (cap >= size)
        {
            return null;
        }

        var by = rate.Signal.Length > 0 ? $"{rate.Signal} asks for {rate.Size}" : "no request-rate vote";
        return RuleResult.To(cap, new AppliedLimit(DecisionRules.Settling, size, cap,
            $"the newest instance has served {served.TotalSeconds:0} s of the {options.Seconds:0} s it may settle; per-instance means show its backlog, {by}"));
    }
}
