namespace AiLbAutoscaler.Core.Engine;

/// <summary>
/// The names a decision's <see cref="AppliedLimit.Rule"/> carries: one constant per limit, used by the rules, the audit
/// trail and the tests, so that a rename is one edit.
/// </summary>
public static class DecisionRules
{
    public const string Override = "override";
    public const string Initializing = "initializing";
    public const string Fallback = "fallback";
    public const string MissingData = "missing-data";
    public const string Panic = "panic";
    public const string ScaleUpLimit = "scale-up-limit";
    public const string ScaleUpStabilization = "scale-up-stabilization";
    public const string Stabilization = "stabilization";
    public const string NoScaleDown = "no-scale-down";
    public const string ScaleDownLimit = "scale-down-limit";
    public const string CalmRelease = "calm-release";
    public const string Settling = "settling";
    public const string Schedule = "schedule";
    public const string MinSize = "min-size";
    public const string MaxSize = "max-size";
    public const string ModeOff = "mode-off";
}
