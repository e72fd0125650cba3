using System.Globalization;
using AiLbAutoscaler.Core.Engine.Forecasting;
using AiLbAutoscaler.Core.Engine.Recommenders;
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
/// The arithmetic of a scaling decision, apart from the loop that runs it (as in the Kubernetes HPA replica calculator).
/// Pure: no I/O, no state between calls; time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class DecisionEngine
{
    private readonly TimeProvider _time;
    private readonly Dictionary<TargetKind, ISignalRecommender> _recommenders;

    public DecisionEngine(TimeProvider time)
        : this(time, [new UtilizationRecommender(), new PerInstanceRecommender(), new LatencySloRecommender()])
    {
    }

    public DecisionEngine(TimeProvider time, IEnumerable<ISignalRecommender> recommenders)
    {
        _time = time;
        _recommenders = recommenders.ToDictionary(r => r.Kind);
        var missing = Enum.GetValues<TargetKind>().Where(k => !_recommenders.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"No signal recommender for target kind(s) {string.Join(", ", missing)}.", nameof(recommenders));
        }
    }

    public DecisionOutcome Decide(DecisionInput input)
    {
        var now = _time.GetUtcNow();
        var policy = input.Policy;
        var state = input.State;
        var current = input.Fleet.TargetSize;
        var fleet = WithInferredWarmUp(input.Fleet, state, policy, now);
        var initializing = fleet.Initializing(policy.InitializationPeriod);
        var serving = fleet.Serving(policy.InitializationPeriod);

        var votes = EvaluateSignals(input, now, current, serving);
        var limits = new List<AppliedLimit>();
        var usable = votes.Recommendations.Any(r => r.Status == SignalStatus.Used);

        // Readings set aside because every instance is still initializing are present, not missing: they neither count
        // towards the fallback nor trigger it (a fixed-size fallback would otherwise shrink a group that is booting).
        var warmingUp = !usable && votes.Recommendations.Any(r => r.Status == SignalStatus.Ignored);
        var missingTicks = usable ? 0 : warmingUp ? state.ConsecutiveMissingTicks : state.ConsecutiveMissingTicks + 1;
        var activeOverride = state.Override is { } o && now < o.Until ? o : null;

        // What the signals ask for, after the dead band; with no votes (all within target) the size stays.
        var proposal = votes.Raw ?? current;
        int desired;
        var held = false;

        if (activeOverride is not null)
        {
            desired = activeOverride.Size;
            var until = activeOverride.IsOneShot ? "(one-shot)" : $"until {Stamp(activeOverride.Until)}";
            limits.Add(new AppliedLimit("override", proposal, desired,
                $"manual override to {activeOverride.Size} {until}: {activeOverride.Reason}"));
        }
        else if (warmingUp)
        {
            desired = current;
            held = true;
            limits.Add(new AppliedLimit("initializing", current, current,
                $"{initializing} instance(s) still initializing and none serving; holding"));
        }
        else if (!usable)
        {
            desired = current;
            held = true;
            if (missingTicks >= policy.MissingTicksBeforeFallback && policy.Fallback == FallbackMode.FixedSize && policy.FallbackSize is int fallback)
            {
                // ScaleOutOnly never removes instances, not even for the fallback.
                desired = policy.Mode == ScalingMode.ScaleOutOnly ? Math.Max(fallback, current) : fallback;
                limits.Add(new AppliedLimit("fallback", current, desired,
                    $"no usable signal for {missingTicks} ticks: fallback to fixed size {fallback}" +
                    (desired != fallback ? " (mode ScaleOutOnly: not below the current size)" : "")));
            }
            else
            {
                var phase = missingTicks >= policy.MissingTicksBeforeFallback ? "fallback: hold" : $"holding ({missingTicks} of {policy.MissingTicksBeforeFallback} before fallback)";
                limits.Add(new AppliedLimit("missing-data", current, current, $"no usable signal; {phase}"));
            }
        }
        else if (proposal > current)
        {
            desired = proposal;
            if (votes.Panic)
            {
                limits.Add(new AppliedLimit("panic", proposal, proposal,
                    $"{votes.PanicSignal} at {votes.PanicLoad:0.##}× what the group can take; scale-up rate limit bypassed"));
            }
            else
            {
                var cap = ScaleUpCap(policy.ScaleUpLimit, current, state.ScaleEvents, now);
                if (desired > cap)
                {
                    limits.Add(new AppliedLimit("scale-up-limit", desired, cap, $"at most {cap} (max of +{policy.ScaleUpLimit.Percent:0.#}% and +{policy.ScaleUpLimit.Instances} per {policy.ScaleUpLimit.PeriodSeconds:0.#} s)"));
                    desired = cap;
                }
            }
        }
        else if (proposal < current)
        {
            desired = ScaleDown(input, votes, proposal, current, initializing, now, limits);
            held = desired == current;
        }
        else
        {
            desired = current;
        }

        var beforeBounds = desired;
        desired = Math.Clamp(desired, policy.MinSize, policy.MaxSize);
        if (desired != beforeBounds)
        {
            limits.Add(new AppliedLimit(desired > beforeBounds ? "min-size" : "max-size", beforeBounds, desired,
                $"bounded to [{policy.MinSize}, {policy.MaxSize}]"));
        }

        // Off stops the engine's own changes, not an operator's pin (GCE: a group with its autoscaler off is resized by hand).
        if (policy.Mode == ScalingMode.Off && desired != current && activeOverride is null)
        {
            limits.Add(new AppliedLimit("mode-off", desired, current, $"mode Off: would go to {desired}, keeping {current}"));
            desired = current;
            held = true;
        }

        var action = desired > current ? ScalingAction.ScaleUp
            : desired < current ? ScalingAction.ScaleDown
            : held || proposal != current ? ScalingAction.Hold
            : ScalingAction.None;

        var decision = new ScalingDecision(
            input.Stack, now, current, desired, action, votes.Winner, votes.Raw, votes.Recommendations, limits,
            Explain(action, current, desired, votes, limits));

        var next = NextState(state, policy, now, usable ? proposal : null, missingTicks, votes.Panic, activeOverride) with
        {
            Forecast = LearnForecast(input, now),
            Demand = LearnDemand(input, now, serving),
        };
        return new DecisionOutcome(decision, next);
    }

    private int ScaleDown(DecisionInput input, SignalVotes votes, int proposal, int current, int initializing, DateTimeOffset now, List<AppliedLimit> limits)
    {
        var policy = input.Policy;
        var state = input.State;

        // Stabilization: the highest recommendation of the window, this one included (GCE, HPA).
        var windowStart = now - policy.ScaleDownStabilization;
        var stabilized = proposal;
        foreach (var sample in state.Recommendations)
        {
            if (sample.At > windowStart && sample.Size > stabilized)
            {
                stabilized = sample.Size;
            }
        }

        if (stabilized > proposal)
        {
            limits.Add(new AppliedLimit("stabilization", proposal, Math.Min(stabilized, current),
                $"highest recommendation of the last {policy.ScaleDownStabilizationSeconds:0.#} s is {stabilized}"));
        }

        if (stabilized >= current)
        {
            return current;
        }

        string? blocker = null;
        if (policy.Mode == ScalingMode.ScaleOutOnly)
        {
            blocker = "mode ScaleOutOnly";
        }
        else if (votes.Recommendations.FirstOrDefault(r => r.Status is SignalStatus.Missing or SignalStatus.Stale) is { } gap)
        {
            blocker = $"{gap.Signal} is {gap.Status.ToString().ToLowerInvariant()}; never scale down on missing data";
        }
        else if (initializing > 0)
        {
            blocker = $"{initializing} instance(s) still initializing";
        }
        else if (state.LastPanicAt is { } panicAt && now - panicAt < policy.ScaleDownStabilization)
        {
            blocker = $"panic at {Stamp(panicAt)}; waiting for a calm stabilization window";
        }

        if (blocker is not null)
        {
            limits.Add(new AppliedLimit("no-scale-down", stabilized, current, blocker));
            return current;
        }

        var floor = ScaleDownFloor(policy.ScaleDownLimit, current, state.ScaleEvents, now);
        if (stabilized < floor)
        {
            limits.Add(new AppliedLimit("scale-down-limit", stabilized, floor,
                $"at least {floor} (max of −{policy.ScaleDownLimit.Percent:0.#}% and −{policy.ScaleDownLimit.Instances} per {policy.ScaleDownLimit.PeriodSeconds:0.#} s)"));
            return floor;
        }

        return stabilized;
    }

    private SignalVotes EvaluateSignals(DecisionInput input, DateTimeOffset now, int current, int serving)
    {
        var policy = input.Policy;
        var recommendations = new List<SignalRecommendation>(policy.Signals.Count + 2);
        int? raw = null;
        string? winner = null;
        var panic = false;
        string? panicSignal = null;
        var panicLoad = 0.0;

        // Rounds one vote, applies the dead band and the panic test, and lets it compete for the largest size.
        (int Size, string Note) Vote(string signal, double exact, string note, bool mayPanic)
        {
            var size = (int)Math.Ceiling(exact - 1e-9);
            // The band is closed: the epsilon keeps its edges inside despite binary rounding (11.0 / 10 − 1 > 0.1 in doubles).
            if (current > 0 && Math.Abs(exact / current - 1) <= policy.Tolerance + 1e-9)
            {
                size = current;
                note += $"; within the {policy.Tolerance:0.##} tolerance of {current}";
            }

            var load = current > 0 ? exact / current : exact > 0 ? double.PositiveInfinity : 0;
            if (mayPanic && policy.PanicThreshold > 0 && load >= policy.PanicThreshold && size > current)
            {
                panic = true;
                if (load > panicLoad)
                {
                    panicLoad = load;
                    panicSignal = signal;
                }
            }

            if (raw is null || size > raw)
            {
                raw = size;
                winner = signal;
            }

            return (size, note);
        }

        foreach (var target in policy.Signals)
        {
            var reading = SignalReading.FindIn(input.Signals, target.Signal);
            if (reading is null || !reading.HasValue)
            {
                recommendations.Add(new SignalRecommendation(target.Signal, target.Kind, target.Target, null, null,
                    SignalStatus.Missing, null, reading?.Problem ?? "no data"));
                continue;
            }

            if (SignalValidity.Problem(reading, target.Kind, now) is { } invalid)
            {
                recommendations.Add(new SignalRecommendation(target.Signal, target.Kind, target.Target, reading.Value, null,
                    SignalStatus.Missing, null, invalid));
                continue;
            }

            var observed = reading.Value!.Value;
            var age = reading.AgeAt(now);
            if (age > policy.MaxSignalAge)
            {
                recommendations.Add(new SignalRecommendation(target.Signal, target.Kind, target.Target, observed, age,
                    SignalStatus.Stale, null, $"{age.Value.TotalSeconds:0} s old, over the {policy.MaxSignalAgeSeconds:0} s limit"));
                continue;
            }

            // A mean is multiplied by the instances it was taken over: the source's count where it knows it, else
            // today's serving instances. Means say nothing when every instance is still warming up.
            var over = target.Kind == TargetKind.Utilization ? reading.Instances ?? serving : serving;
            if (target.Kind != TargetKind.PerInstance && over <= 0)
            {
                recommendations.Add(new SignalRecommendation(target.Signal, target.Kind, target.Target, observed, age,
                    SignalStatus.Ignored, null, "no serving instance past its initialization period"));
                continue;
            }

            var vote = _recommenders[target.Kind].Recommend(observed, target.Target, over);

            // Capacity on order: a mean taken over fewer instances than the group now holds predates capacity already
            // ordered; the load per instance it shows (a backlog above all) is what those instances are about to take, so
            // it may not ask for more. Request-rate votes (not distorted by a backlog) still can.
            if (target.Kind == TargetKind.Utilization && reading.Instances is int seen && seen < current &&
                vote.ExactSize is double ahead && ahead > current + 1e-9)
            {
                recommendations.Add(new SignalRecommendation(target.Signal, target.Kind, target.Target, observed, age,
                    SignalStatus.Ignored, null,
                    $"{vote.Note}; taken over {seen} instance(s), {current - seen} more already on order: capacity on order, no further scale-up"));
                continue;
            }

            int? size = null;
            var note = vote.Note;
            if (vote.ExactSize is double exact)
            {
                (size, note) = Vote(target.Signal, exact, note, mayPanic: true);
            }

            recommendations.Add(new SignalRecommendation(target.Signal, target.Kind, target.Target, observed, age,
                SignalStatus.Used, size, note));
        }

        var rate = LearnedRate(input, now, serving);
        if (rate.Vote is { } demand)
        {
            var (size, note) = Vote(demand.Signal, demand.Exact, demand.Note, mayPanic: true);
            recommendations.Add(new SignalRecommendation(demand.Signal, TargetKind.PerInstance, rate.PerInstance!.Value,
                demand.Observed, demand.Age, SignalStatus.Used, size, note));
        }

        if (policy.Forecast.Enabled && ForecastVote(input, now, current, rate.PerInstance) is { } forecast)
        {
            var recommendation = forecast.Recommendation;
            if (forecast.Exact is double exact)
            {
                // A forecast adds capacity ahead of a rise; it never panics and never scales in.
                var (size, note) = Vote(recommendation.Signal, exact, recommendation.Note, mayPanic: false);
                recommendation = recommendation with { RecommendedSize = size, Note = note };
            }

            recommendations.Add(recommendation);
        }

        return new SignalVotes(recommendations, raw, winner, panic, panicSignal, panicLoad);
    }

    /// <summary>
    /// The request rate one instance can take at the policy's target: the forecast signal's PerInstance target, or,
    /// with <see cref="DemandOptions"/>, the utilization target over the learned cost of one request per second.
    /// With demand learning, also the demand's own vote.
    /// </summary>
    private static (double? PerInstance, (string Signal, double Exact, double Observed, TimeSpan? Age, string Note)? Vote) LearnedRate(
        DecisionInput input, DateTimeOffset now, int serving)
    {
        var policy = input.Policy;
        var forecastTarget = policy.TargetFor(policy.Forecast.Signal) is { Kind: TargetKind.PerInstance } t ? t.Target : (double?)null;
        var demand = policy.Demand;
        if (!demand.Enabled || input.State.Demand?.CostPerRequest is not double cost || !(cost > 0))
        {
            return (forecastTarget, null);
        }

        var utilization = policy.TargetFor(demand.UtilizationSignal)!; // the validator requires it
        var perInstance = utilization.Target / cost;
        var reading = Fresh(input, demand.RateSignal, now);
        if (reading is null)
        {
            return (perInstance, null);
        }

        var rps = reading.Value!.Value;
        var note = $"{rps:0.##} req/s × {cost:0.####} learned cost per req/s / {utilization.Target:0.##} target";
        return (perInstance, ($"demand:{demand.RateSignal}", rps / perInstance, rps, reading.AgeAt(now), note));
    }

    /// <summary>
    /// The forecast's vote: the exact size for the highest rate expected ahead, at <paramref name="perInstance"/> req/s
    /// per instance. It abstains (no exact size) without history; at or below the current size it is a floor for scale-in.
    /// </summary>
    private static (SignalRecommendation Recommendation, double? Exact)? ForecastVote(DecisionInput input, DateTimeOffset now, int current, double? perInstance)
    {
        var options = input.Policy.Forecast;
        var reading = Fresh(input, options.Signal, now);
        if (reading is null || perInstance is not double capacity)
        {
            return null;
        }

        var name = ForecastSignalName(options);
        var (peak, note) = SeasonalForecaster.PeakAhead(input.State.Forecast, options, reading.Value!.Value, reading.ObservedAt!.Value, now);
        if (peak is not double expected)
        {
            return (new SignalRecommendation(name, TargetKind.PerInstance, capacity, null, null, SignalStatus.Ignored, null, note), null);
        }

        // At or below the current size the forecast still votes, as a floor: the largest vote wins, so it can only keep
        // a scale-in (asked for by the other signals) from going below what the look-ahead expects, never cause one.
        var exact = expected / capacity;
        var role = exact > current ? "" : "; a floor for scale-in only (a forecast never scales in)";
        return (new SignalRecommendation(name, TargetKind.PerInstance, capacity, expected, reading.AgeAt(now), SignalStatus.Used, null,
            $"{note}; at {capacity:0.##} req/s per instance{role}"), exact);
    }

    /// <summary>The name a forecast's vote carries in decisions: <c>forecast:&lt;signal&gt;</c>.</summary>
    public static string ForecastSignalName(ForecastOptions options) => "forecast:" + options.Signal;

    private static SignalReading? Fresh(DecisionInput input, string signal, DateTimeOffset now)
    {
        var reading = SignalReading.FindIn(input.Signals, signal);
        var kind = input.Policy.TargetFor(signal)?.Kind ?? TargetKind.PerInstance;
        return reading is not null && reading.HasValue && !(reading.AgeAt(now) > input.Policy.MaxSignalAge) &&
               SignalValidity.Problem(reading, kind, now) is null
            ? reading
            : null;
    }

    private static SeasonalProfile? LearnForecast(DecisionInput input, DateTimeOffset now)
    {
        var options = input.Policy.Forecast;
        if (!options.Enabled)
        {
            return null;
        }

        return Fresh(input, options.Signal, now) is { } reading
            ? SeasonalForecaster.Learn(input.State.Forecast, options, reading.Value!.Value, reading.ObservedAt!.Value)
            : input.State.Forecast;
    }

    /// <summary>
    /// Learns the cost of one request per second from a minute that was not saturated: the utilization sum of a minute
    /// over the request rate of the same minute. Instance metrics usually arrive before load-balancer metrics, so the
    /// sums wait (a few minutes at most) for the rate of their minute.
    /// </summary>
    private static DemandModel? LearnDemand(DecisionInput input, DateTimeOffset now, int serving)
    {
        var options = input.Policy.Demand;
        if (!options.Enabled)
        {
            return null;
        }

        var model = input.State.Demand ?? DemandModel.Empty;
        var pending = model.Pending.Where(p => now - p.At <= input.Policy.MaxSignalAge).ToList();
        if (Fresh(input, options.UtilizationSignal, now) is { } utilization &&
            utilization.Value < options.LearnBelowUtilization &&
            (utilization.Instances ?? serving) is var over && over > 0 &&
            !pending.Any(p => p.At == utilization.ObservedAt))
        {
            pending.Add(new UtilizationSample(utilization.ObservedAt!.Value, utilization.Value!.Value * over));
        }

        var cost = model.CostPerRequest;
        var learnedAt = model.LearnedAt;
        if (Fresh(input, options.RateSignal, now) is { } rate && rate.Value > 0 && rate.ObservedAt > learnedAt.GetValueOrDefault(DateTimeOffset.MinValue))
        {
            var match = pending.FindIndex(p => p.At == rate.ObservedAt);
            if (match >= 0)
            {
                var sample = pending[match].Sum / rate.Value!.Value;
                cost = cost is double c ? c + options.LearningRate * (sample - c) : sample;
                learnedAt = rate.ObservedAt;
                pending.RemoveAt(match);
            }
        }

        return new DemandModel(cost, learnedAt, pending);
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

    /// <summary>
    /// HPA: the size at the start of the period grown by the larger of the percentage and the instance count. Never below
    /// <paramref name="current"/>: a limit may stop growth, not turn it into a shrink.
    /// </summary>
    internal static int ScaleUpCap(RateLimit limit, int current, IReadOnlyList<ScaleEvent> events, DateTimeOffset now)
    {
        var periodStart = PeriodStart(current, events, now - limit.Period);
        var byPercent = (int)Math.Ceiling(periodStart * (1 + limit.Percent / 100) - 1e-9);
        return Math.Max(current, Math.Max(byPercent, periodStart + limit.Instances));
    }

    /// <summary>
    /// HPA: the size at the start of the period shrunk by the larger of the percentage and the instance count. Never above
    /// <paramref name="current"/>: a limit may stop a shrink, not turn it into growth.
    /// </summary>
    internal static int ScaleDownFloor(RateLimit limit, int current, IReadOnlyList<ScaleEvent> events, DateTimeOffset now)
    {
        var periodStart = PeriodStart(current, events, now - limit.Period);
        var byPercent = (int)Math.Floor(periodStart * (1 - limit.Percent / 100) + 1e-9);
        return Math.Min(current, Math.Max(0, Math.Min(byPercent, periodStart - limit.Instances)));
    }

    /// <summary>The size before every change made after <paramref name="since"/> (HPA: current − added + removed).</summary>
    private static int PeriodStart(int current, IReadOnlyList<ScaleEvent> events, DateTimeOffset since)
    {
        var start = current;
        foreach (var e in events)
        {
            if (e.At > since)
            {
                start -= e.To - e.From;
            }
        }

        return Math.Max(0, start);
    }

    private static StackState NextState(
        StackState state, ScalingPolicy policy, DateTimeOffset now, int? recommendation, int missingTicks, bool panic,
        ManualOverride? activeOverride)
    {
        var windowStart = now - policy.ScaleDownStabilization;
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
            ConsecutiveMissingTicks = missingTicks,
            LastPanicAt = panic ? now : state.LastPanicAt,
            Override = activeOverride,
        };
    }

    private static string Explain(ScalingAction action, int current, int desired, SignalVotes votes, List<AppliedLimit> limits)
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
            : votes.Recommendations.Any(r => r.Status == SignalStatus.Used)
                ? "every signal within its target"
                : "no usable signal";

        var rules = limits.Count == 0 ? "" : "; " + string.Join("; ", limits.Select(l => l.Detail));
        return $"{head}: {why}{rules}";
    }

    private static string Num(double? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "n/a";

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private sealed record SignalVotes(
        IReadOnlyList<SignalRecommendation> Recommendations,
        int? Raw,
        string? Winner,
        bool Panic,
        string? PanicSignal,
        double PanicLoad);
}
