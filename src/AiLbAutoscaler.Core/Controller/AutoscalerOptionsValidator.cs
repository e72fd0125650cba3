using AiLbAutoscaler.Core.Policy;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Core.Controller;

/// <summary>Fills in default signals, then fails startup on a bad setting, naming it by its configuration path.</summary>
public sealed class AutoscalerOptionsValidator : IValidateOptions<AutoscalerOptions>, IPostConfigureOptions<AutoscalerOptions>
{
    /// <summary>A minute under host.json's <c>functionTimeout</c> of 30 minutes (a test holds the two together).</summary>
    public const int MaxTickTimeoutSeconds = 29 * 60;

    public void PostConfigure(string? name, AutoscalerOptions options)
    {
        foreach (var stack in options.Stacks.Values)
        {
            stack.Policy ??= ScalingPolicy.CreateDefaultWithoutSignals();
            stack.Policy.UseDefaultSignalsIfNone();
        }
    }

    public ValidateOptionsResult Validate(string? name, AutoscalerOptions options)
    {
        var errors = new List<string>();
        var root = AutoscalerOptions.SectionName;
        if (options.Stacks.Count == 0)
        {
            errors.Add($"{root}:Stacks must name at least one stack (for example {root}__Stacks__inference__Policy__MaxSize).");
        }

        foreach (var (stack, stackOptions) in options.Stacks)
        {
            if (!StackNames.IsValid(stack))
            {
                errors.Add($"{root}:Stacks:{stack} is not a valid stack name: use letters, digits, '-', '_' and '.' (1 to 100 characters).");
            }

            errors.AddRange(ScalingPolicyValidator.Validate(stackOptions.Policy, $"{root}:Stacks:{stack}:Policy"));
            if (stackOptions.TickSeconds is double tick && (!(tick >= 0) || tick > 3600))
            {
                errors.Add($"{root}:Stacks:{stack}:TickSeconds must be in [0, 3600] (was {tick}); leave it unset to follow the metrics source.");
            }
        }

        if (options.AuditRetentionDays < 1)
        {
            errors.Add($"{root}:AuditRetentionDays must be 1 or more (was {options.AuditRetentionDays}).");
        }

        if (options.StatusDecisionCount is < 1 or > 1000)
        {
            errors.Add($"{root}:StatusDecisionCount must be in [1, 1000] (was {options.StatusDecisionCount}).");
        }

        if (options.MaxParallelStacks is < 1 or > 64)
        {
            errors.Add($"{root}:MaxParallelStacks must be in [1, 64] (was {options.MaxParallelStacks}).");
        }

        if (options.MaxHoldMinutes < 1)
        {
            errors.Add($"{root}:MaxHoldMinutes must be 1 or more (was {options.MaxHoldMinutes}).");
        }

        if (options.TickTimeoutSeconds is < 2 or > MaxTickTimeoutSeconds)
        {
            errors.Add($"{root}:TickTimeoutSeconds must be in [2, {MaxTickTimeoutSeconds}], below the host's functionTimeout (was {options.TickTimeoutSeconds}).");
        }

        if (options.ApplyTimeoutSeconds < 1 || options.ApplyTimeoutSeconds >= options.TickTimeoutSeconds)
        {
            errors.Add($"{root}:ApplyTimeoutSeconds must be 1 or more and less than {root}:TickTimeoutSeconds ({options.TickTimeoutSeconds}), " +
                $"so a cancelled apply can still be recorded (was {options.ApplyTimeoutSeconds}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
