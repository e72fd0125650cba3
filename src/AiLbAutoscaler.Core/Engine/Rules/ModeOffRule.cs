using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Core.Engine.Rules;

/// <summary>
/// Off stops the engine's own changes, not an operator's pin (GCE: a group with its autoscaler off is resized by hand).
/// The recommendation is still computed and recorded.
/// </summary>
public sealed class ModeOffRule : IDecisionRule
{
    public RulePhase Phase => RulePhase.Constrain;

    public RuleResult? Apply(DecisionContext context, int size) =>
        context.Policy.Mode == ScalingMode.Off && size != context.Current && context.ActiveOverride is null
            ? RuleResult.To(context.Current, new AppliedLimit(DecisionRules.ModeOff, size, context.Current,
                $"mode Off: would go to {size}, keeping {context.Current}"), holds: true)
            : null;
}
