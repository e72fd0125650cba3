using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Engine.Demand;
using AiLbAutoscaler.Core.Engine.Headroom;
using AiLbAutoscaler.Core.Engine.Trend;
using AiLbAutoscaler.Core.Engine.Forecasting;
using AiLbAutoscaler.Core.Engine.Recommenders;
using AiLbAutoscaler.Core.Engine.Release;
using AiLbAutoscaler.Core.Engine.Rules;
using AiLbAutoscaler.Core.Engine.Schedules;
using AiLbAutoscaler.Core.Engine.Voting;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Tests.Shared;

namespace AiLbAutoscaler.Core.Tests.Engine;

/// <summary>The engine's parts are data: one ordered list of rules and of voters, shown in docs/decision-engine.md.</summary>
[Trait("Area", "Engine")]
public sealed class PipelineTests
{
    private static readonly (Type Rule, RulePhase Phase)[] Order =
    [
        (typeof(OverrideRule), RulePhase.Choose),
        (typeof(WarmUpRule), RulePhase.Choose),
        (typeof(MissingDataRule), RulePhase.Choose),
        (typeof(ScaleUpRule), RulePhase.Choose),
        (typeof(ScaleDownRule), RulePhase.Choose),
        (typeof(SettlingRule), RulePhase.Constrain),
        (typeof(ScheduleFloorRule), RulePhase.Constrain),
        (typeof(BoundsRule), RulePhase.Constrain),
        (typeof(ModeOffRule), RulePhase.Constrain),
    ];

    [Fact]
    public void The_rules_run_in_the_documented_order_and_the_document_lists_them_so()
    {
        Assert.Equal(Order, DecisionPipeline.Rules.Select(r => (r.GetType(), r.Phase)));

        // docs/decision-engine.md names each rule's class in its pipeline table, in the same order.
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "decision-engine.md"));
        var positions = Order.Select(o => doc.IndexOf($"`{o.Rule.Name}`", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public void The_voters_vote_in_order_signals_then_demand_then_forecast_then_trend_then_headroom_then_calm_release_and_every_kind_has_a_recommender()
    {
        Assert.Equal(
            [typeof(SignalTargetVoter), typeof(DemandVoter), typeof(ForecastVoter), typeof(TrendVoter), typeof(HeadroomVoter), typeof(CalmReleaseVoter)],
            DecisionPipeline.Voters(DecisionPipeline.Recommenders).Select(v => v.GetType()));
        Assert.Equal(Enum.GetValues<TargetKind>().Order(), DecisionPipeline.Recommenders.Select(r => r.Kind).Order());
    }

    [Fact]
    public void An_engine_without_a_recommender_for_some_kind_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new DecisionEngine(TimeProvider.System, [new UtilizationRecommender(), new PerInstanceRecommender()]));
        Assert.Contains("LatencySlo", error.Message);
    }
}
