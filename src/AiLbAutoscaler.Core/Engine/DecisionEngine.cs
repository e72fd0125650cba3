using System.Globalization;
using AiLbAutoscaler.Core.Engine.Recommenders;
using AiLbAutoscaler.Core.Engine.Rules;
using AiLbAutoscaler.Core.Engine.Voting;
using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;

namespace AiLbAutoscaler.Core.Engine;

/// <summary>Everything one decision depends on. The engine reads nothing else but the clock.</summary>
public sealed record DecisionInput(
    string Stack,
    ScalingPolicy Policy,
    FleetState Fleet,
    IReadOnlyList<SignalReading> Signals,
    StackState State);

/// <summary>The decision, and the state to save so that the next decision can see this one.</summary>
public sealed record DecisionOutcome(ScalingDecision Decision, StackState NextState);

/// <summary>
/// The loop of a scaling decision, apart from its arithmetic (as in the Kubernetes HPA): the voters of
/// <see cref="DecisionPipeline.Voters"/> propose a size, the rules of <see cref="DecisionPipeline.Rules"/> shape it in
/// order, and the decision explains itself. Pure: no I/O, no state between calls; time comes from the injected
/// <see cref="TimeProvider"/>.
/// </summary>
public sealed class DecisionEngine
{
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<IVoter> _voters;
    private readonly IReadOnlyList<IDecisionRule> _rules;

    public DecisionEngine(TimeProvider time)
        : this(time, DecisionPipeline.Recommenders)
    {
    }

    public DecisionEngine(TimeProvider time, IEnumerable<ISignalRecommender> recommenders)
    {
        _time = time;
        _voters = DecisionPipeline.Voters(recommenders);
        _rules = DecisionPipeline.Rules;
    }

    public DecisionOutcome Decide(DecisionInput input)
    {
        var now = _time.GetUtcNow();
        var policy = input.Policy;
        var state = input.State;
        var current = input.Fleet.TargetSize;
        var fleet = WithInferredWarmUp(input.Fleet, state, policy, now);

        var voting = new VotingContext(input, now, current, fleet.Serving(policy.InitializationPeriod));
        var votes = new Ballot(policy, current);
        foreach (var voter in _voters)
        {
            voter.Vote(voting, votes);
        }

        var context = new DecisionContext(input, now, current, fleet.Initializing(policy.InitializationPeriod), votes);

        var proposal = context.Proposal;
        var desired = proposal;
        var held = false;
        var chosen = false;
        var limits = new List<AppliedLimit>();
        foreach (var rule in _rules)
        {
            if ((chosen && rule.Phase == RulePhase.Choose) || rule.Apply(context, desired) is not { } result)
            {
                continue;
            }

            chosen |= rule.Phase == RulePhase.Choose;
            desired = result.Size;
            held |= result.Holds;
            limits.AddRange(result.Limits);
        }

        var action = desired > current ? ScalingAction.ScaleUp
            : desired < current ? ScalingAction.ScaleDown
            : held || proposal != current ? ScalingAction.Hold
            : ScalingAction.None;

        var decision = new ScalingDecision(
            input.Stack, now, current, desired, action, votes.Winner, votes.Raw, votes.Recommendations, limits,
            Explain(action, current, desired, votes, limits));

        var next = NextState(context, context.Usable ? proposal : null);
        foreach (var voter in _voters)
        {
            next = voter.Learn(voting, next);
        }

        return new DecisionOutcome(decision, next);
    }

    /// <summary>
    /// When the source cannot tell instance ages, the instances this controller added within the initialization period
    /// are the ones still warming up.
    /// </summary>
    private static FleetState WithInferredWarmUp(FleetState fleet, StackState state, ScalingPolicy policy, DateTimeOffset now)
    {
        if (fleet.InstanceAges is not null)
        {
            return fleet;
        }

        var ages = new List<TimeSpan>(fleet.TargetSize);
        foreach (var e in state.ScaleEvents)
        {
            var age = now - e.At;
            if (e.To > e.From && age < policy.InitializationPeriod)
            {
                for (var i = 0; i < e.To - e.From && ages.Count < fleet.TargetSize; i++)
                {
                    ages.Add(age);
                }
            }
        }

        if (ages.Count == 0)
        {
            return fleet;
        }

        while (ages.Count < fleet.TargetSize)
        {
            ages.Add(TimeSpan.MaxValue);
        }

        return fleet with { InstanceAges = ages };
    }

    private static StackState NextState(DecisionContext context, int? recommendation)
    {
        var (policy, state, now) = (context.Policy, context.State, context.Now);
        var windowStart = now - (policy.ScaleDownStabilization > policy.ScaleUpStabilization ? policy.ScaleDownStabilization : policy.ScaleUpStabilization);
        var recommendations = state.Recommendations.Where(r => r.At > windowStart).ToList();
        if (recommendation is int r)
        {
            recommendations.Add(new RecommendationSample(now, r));
        }

        // Size changes are recorded by the caller once applied (StackState.WithApplied); here they only age out.
        var keep = new[] { policy.ScaleUpLimit.Period, policy.ScaleDownLimit.Period, policy.InitializationPeriod }.Max();
        return state with
        {
            Recommendations = recommendations,
            ScaleEvents = state.ScaleEvents.Where(e => e.At > now - keep).ToList(),
            ConsecutiveMissingTicks = context.MissingTicks,
            LastPanicAt = context.Votes.Panic ? now : state.LastPanicAt,
            Override = context.ActiveOverride,
        };
    }

    private static string Explain(ScalingAction action, int current, int desired, Ballot votes, List<AppliedLimit> limits)
    {
        var head = action switch
        {
            ScalingAction.ScaleUp => $"scale up {current} → {desired}",
            ScalingAction.ScaleDown => $"scale down {current} → {desired}",
            ScalingAction.Hold => $"hold at {current}",
            _ => $"no change at {current}",
        };

        var why = votes.Winner is { } w && votes.Recommendations.FirstOrDefault(r => r.Signal == w) is { } win
            ? $"{w} {Num(win.Observed)} vs target {Num(win.Target)} recommends {win.RecommendedSize}"
            : votes.AnyUsed
                ? "every signal within its target"
                : "no usable signal";

        var rules = limits.Count == 0 ? "" : "; " + string.Join("; ", limits.Select(l => l.Detail));
        return $"{head}: {why}{rules}";
    }

    private static string Num(double? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "n/a";
}
