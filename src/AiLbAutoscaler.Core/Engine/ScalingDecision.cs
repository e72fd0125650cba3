using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Core.Engine;

public enum ScalingAction
{
    /// <summary>Nothing calls for a change.</summary>
    None,
    ScaleUp,
    ScaleDown,

    /// <summary>The signals call for a change, but a rule holds the size (stabilization, missing data, mode, warm-up).</summary>
    Hold,
}

public enum SignalStatus
{
    /// <summary>The reading voted.</summary>
    Used,

    /// <summary>No value: the source returned nothing or failed.</summary>
    Missing,

    /// <summary>The value is older than the policy's maximum age.</summary>
    Stale,

    /// <summary>Present but unusable, for example because every instance is still initializing.</summary>
    Ignored,
}

/// <summary>One signal's vote, with everything needed to explain it.</summary>
public sealed record SignalRecommendation(
    string Signal,
    TargetKind Kind,
    double Target,
    double? Observed,
    TimeSpan? Age,
    SignalStatus Status,
    int? RecommendedSize,
    string Note)
{
    /// <summary>Observed over target, where both are known.</summary>
    public double? Ratio => Observed is double o && Target > 0 ? o / Target : null;
}

/// <summary>A rule that changed the size the signals asked for.</summary>
public sealed record AppliedLimit(string Rule, int Before, int After, string Detail);

/// <summary>
/// What the engine decided and why. A value: the same inputs always give the same decision.
/// </summary>
public sealed record ScalingDecision(
    string Stack,
    DateTimeOffset At,
    int CurrentSize,
    int DesiredSize,
    ScalingAction Action,
    string? WinningSignal,
    int? RawRecommendation,
    IReadOnlyList<SignalRecommendation> Recommendations,
    IReadOnlyList<AppliedLimit> Limits,
    string Explanation)
{
    public bool ChangesSize => DesiredSize != CurrentSize;
}
