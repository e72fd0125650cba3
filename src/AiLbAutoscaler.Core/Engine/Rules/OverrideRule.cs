namespace AiLbAutoscaler.Core.Engine.Rules;

/// <summary>A manual override pins the size until it ends (bounds still apply; mode Off does not block it).</summary>
public sealed class OverrideRule : IDecisionRule
{
    public RulePhase Phase => RulePhase.Choose;

    public RuleResult? Apply(DecisionContext context, int size)
    {
        if (context.ActiveOverride is not { } pin)
        {
            return null;
        }

        var until = pin.IsOneShot ? "(one-shot)" : $"until {DecisionContext.Stamp(pin.Until)}";
        return RuleResult.To(pin.Size, new AppliedLimit(DecisionRules.Override, size, pin.Size,
            $"manual override to {pin.Size} {until}: {pin.Reason}"));
    }
}
