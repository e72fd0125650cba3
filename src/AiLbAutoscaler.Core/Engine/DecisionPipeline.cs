using AiLbAutoscaler.Core.Engine.Demand;
using AiLbAutoscaler.Core.Engine.Forecasting;
using AiLbAutoscaler.Core.Engine.Headroom;
using AiLbAutoscaler.Core.Engine.Recommenders;
using AiLbAutoscaler.Core.Engine.Release;
using AiLbAutoscaler.Core.Engine.Rules;
using AiLbAutoscaler.Core.Engine.Schedules;
using AiLbAutoscaler.Core.Engine.Trend;
using AiLbAutoscaler.Core.Engine.Voting;

namespace AiLbAutoscaler.Core.Engine;

/// <summary>
/// The engine's parts as data, the one place a recommender, voter or rule is registered. The engine and DI
/// (<c>AddAutoscalerCore</c>) both read these lists; docs/decision-engine.md shows them and a test asserts the order.
/// </summary>
public static class DecisionPipeline
{
    /// <summary>One recommender per <see cref="Policy.TargetKind"/>, used by <see cref="SignalTargetVoter"/>.</summary>
    public static IReadOnlyList<ISignalRecommender> Recommenders { get; } =
        [new UtilizationRecommender(), new PerInstanceRecommender(), new LatencySloRecommender()];

    /// <summary>The voters, in voting order (ties keep the first).</summary>
    public static IReadOnlyList<IVoter> Voters(IEnumerable<ISignalRecommender> recommenders) =>
        [new SignalTargetVoter(recommenders), new DemandVoter(), new ForecastVoter(), new TrendVoter(), new HeadroomVoter(), new CalmReleaseVoter()];

    /// <summary>
    /// The rules, in order. Of the <see cref="RulePhase.Choose"/> rules the first that applies decides; then every
    /// <see cref="RulePhase.Constrain"/> rule runs: the schedule floor after the signals and before the bounds.
    /// </summary>
    public static IReadOnlyList<IDecisionRule> Rules { get; } =
    [
        new OverrideRule(),
        new WarmUpRule(),
        new MissingDataRule(),
        new ScaleUpRule(),
        new ScaleDownRule(),
        new SettlingRule(),
        new ScheduleFloorRule(),
        new BoundsRule(),
        new ModeOffRule(),
    ];
}
