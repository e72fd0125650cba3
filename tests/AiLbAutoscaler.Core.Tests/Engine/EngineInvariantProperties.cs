using System.Text.Json;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Engine.Rules;
using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;
using AiLbAutoscaler.Core.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Time.Testing;
using Microsoft.FSharp.Core;

namespace AiLbAutoscaler.Core.Tests.Engine;

/// <summary>
/// The engine's invariants as FsCheck properties over random policies, fleets, histories and readings (valid, missing,
/// stale and invalid ones). Seeded, so a failure replays; FsCheck shrinks it to a small case.
/// </summary>
[Trait("Area", "Engine")]
public sealed class EngineInvariantProperties
{
    private static readonly string[] SignalNamesUsed = [SignalNames.GpuUtilization, SignalNames.QueuePerInstance, SignalNames.LatencyP95Ms];

    public sealed record Scenario(ScalingPolicy Policy, int Current, StackState State, IReadOnlyList<SignalReading> Readings)
    {
        public override string ToString() =>
            $"policy [{Policy.MinSize}, {Policy.MaxSize}] {Policy.Mode} up {Policy.ScaleUpLimit.Percent}%/{Policy.ScaleUpLimit.Instances} down {Policy.ScaleDownLimit.Percent}%/{Policy.ScaleDownLimit.Instances} " +
            $"panic {Policy.PanicThreshold} fallback {Policy.Fallback}:{Policy.FallbackSize}; current {Current}; events [{string.Join(", ", State.ScaleEvents.Select(e => $"{e.From}→{e.To}@{(e.At - Fixtures.T0).TotalSeconds}s"))}]; " +
            $"override {State.Override}; readings [{string.Join(", ", Readings.Select(r => $"{r.Signal}={r.Value}@{(r.ObservedAt - Fixtures.T0)?.TotalSeconds}s"))}]";
    }

    [Fact]
    public void Missing_stale_or_invalid_data_never_lowers_the_size() =>
        Check(Scenarios(overrides: false), s =>
        {
            var decision = Decide(s);
            var gap = s.Policy.Signals.Any(t => SignalReading.FindIn(s.Readings, t.Signal) is not { } r || !Usable(r));
            var fixedFallback = decision.Limits.Any(l => l.Rule == DecisionRules.Fallback);
            return !gap || fixedFallback || decision.DesiredSize >= s.Current;
        });

    [Fact]
    public void The_bounds_always_hold() =>
        Check(Scenarios(overrides: true), s =>
        {
            var decision = Decide(s);
            return s.Policy.Mode == ScalingMode.Off && s.State.Override is null
                ? decision.DesiredSize == s.Current
                : decision.DesiredSize >= s.Policy.MinSize && decision.DesiredSize <= s.Policy.MaxSize;
        });

    [Fact]
    public void An_active_override_always_wins() =>
        Check(Scenarios(overrides: true).Where(s => s.State.Override is not null), s => Decide(s).DesiredSize == s.State.Override!.Size);

    [Fact]
    public void The_size_never_moves_faster_than_the_rate_limits_allow_except_through_panic() =>
        Check(Scenarios(overrides: false), s =>
        {
            var decision = Decide(s);
            if (decision.Limits.Any(l => l.Rule is DecisionRules.Panic or DecisionRules.Fallback))
            {
                return true;
            }

            var cap = RateLimits.ScaleUpCap(s.Policy.ScaleUpLimit, s.Current, s.State.ScaleEvents, Fixtures.T0);
            var floor = RateLimits.ScaleDownFloor(s.Policy.ScaleDownLimit, s.Current, s.State.ScaleEvents, Fixtures.T0);
            return decision.DesiredSize <= Math.Max(cap, s.Policy.MinSize) && decision.DesiredSize >= Math.Min(floor, s.Policy.MaxSize);
        });

    [Fact]
    public void The_same_inputs_give_the_same_decision() =>
        Check(Scenarios(overrides: true), s =>
        {
            var first = Decide(s);
            var second = Decide(s);
            return JsonSerializer.Serialize(first) == JsonSerializer.Serialize(second);
        });

    // Judged on the input, not on the engine's own verdict: fresh (at most 420 s old), finite, not negative, not ahead.
    private static bool Usable(SignalReading r) =>
        r.Value is double v && double.IsFinite(v) && v >= 0 && r.ObservedAt is { } at && at <= Fixtures.T0 && Fixtures.T0 - at <= TimeSpan.FromSeconds(420);

    private static ScalingDecision Decide(Scenario s) =>
        new DecisionEngine(new FakeTimeProvider(Fixtures.T0)).Decide(new DecisionInput("svc", s.Policy, new FleetState(s.Current), s.Readings, s.State)).Decision;

    private static void Check(Gen<Scenario> scenarios, Func<Scenario, bool> property)
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(400)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20261202UL, 1442695040888963407UL), FSharpOption<int>.None)));
        Prop.ForAll(scenarios.ToArbitrary(), property).Check(config);
    }

    private static Gen<Scenario> Scenarios(bool overrides) =>
        from min in Gen.Choose(0, 5)
        from span in Gen.Choose(0, 30)
        from mode in Gen.Elements(ScalingMode.On, ScalingMode.On, ScalingMode.ScaleOutOnly, ScalingMode.Off)
        from upPercent in Gen.Elements(0.0, 10, 50, 100, 400)
        from upInstances in Gen.Choose(0, 6)
        from downPercent in Gen.Elements(0.0, 10, 50, 100)
        from downInstances in Gen.Choose(0, 4)
        from panic in Gen.Elements(0.0, 1.5, 2.0, 3.0)
        from stabilization in Gen.Elements(0.0, 60, 600)
        from fixedFallback in Gen.Elements(false, false, true)
        from fallbackSize in Gen.Choose(min, min + span)
        from current in Gen.Choose(min, min + span)
        from events in Gen.ListOf(Gen.Zip(Gen.Choose(1, 300), Gen.Choose(0, 40)), 4)
        from samples in Gen.ListOf(Gen.Zip(Gen.Choose(1, 700), Gen.Choose(0, 40)), 4)
        from missingTicks in Gen.Choose(0, 5)
        from pinned in overrides ? Gen.Elements(false, true) : Gen.Constant(false)
        from pinSize in Gen.Choose(min, min + span)
        from pinLeft in Gen.Choose(1, 3600)
        from readings in Gen.ListOf(Reading(), 3)
        select new Scenario(
            new ScalingPolicy
            {
                MinSize = min,
                MaxSize = min + span,
                Mode = mode,
                ScaleUpLimit = new RateLimit { Percent = upPercent, Instances = upInstances, PeriodSeconds = 60 },
                ScaleDownLimit = new RateLimit { Percent = downPercent, Instances = downInstances, PeriodSeconds = 120 },
                PanicThreshold = panic,
                ScaleDownStabilizationSeconds = stabilization,
                InitializationPeriodSeconds = 0,
                Fallback = fixedFallback ? FallbackMode.FixedSize : FallbackMode.Hold,
                FallbackSize = fixedFallback ? fallbackSize : null,
                Signals =
                [
                    Fixtures.Utilization(SignalNames.GpuUtilization, 0.6),
                    Fixtures.PerInstance(SignalNames.QueuePerInstance, 4),
                    Fixtures.LatencySlo(800),
                ],
            },
            current,
            new StackState
            {
                // Events that chain into the current size, newest last, as the controller records them.
                ScaleEvents = Chain(current, events),
                Recommendations = samples.Select(p => new RecommendationSample(Fixtures.T0.AddSeconds(-p.Item1), p.Item2)).OrderBy(r => r.At).ToList(),
                ConsecutiveMissingTicks = missingTicks,
                Override = pinned ? new ManualOverride(pinSize, "pinned", Fixtures.T0.AddSeconds(pinLeft)) : null,
            },
            readings);

    private static List<ScaleEvent> Chain(int current, IEnumerable<(int SecondsAgo, int From)> raw)
    {
        var ordered = raw.OrderByDescending(e => e.SecondsAgo).ToList();
        var events = new List<ScaleEvent>();
        for (var i = 0; i < ordered.Count; i++)
        {
            var to = i + 1 < ordered.Count ? ordered[i + 1].From : current;
            if (ordered[i].From != to)
            {
                events.Add(new ScaleEvent(Fixtures.T0.AddSeconds(-ordered[i].SecondsAgo), ordered[i].From, to));
            }
        }

        return events;
    }

    /// <summary>A reading of one of the policy's signals: fresh, stale, missing, negative, from the future, or not finite.</summary>
    private static Gen<SignalReading> Reading() =>
        from signal in Gen.Elements(SignalNamesUsed)
        from kind in Gen.Frequency((6, Gen.Constant("fresh")), (1, Gen.Constant("stale")), (1, Gen.Constant("missing")),
            (1, Gen.Constant("negative")), (1, Gen.Constant("future")), (1, Gen.Constant("nan")))
        from scale in Gen.Choose(0, 4000)
        from age in Gen.Choose(0, 400)
        select kind switch
        {
            "missing" => SignalReading.Missing(signal, "no data"),
            "stale" => SignalReading.Of(signal, Value(signal, scale), Fixtures.T0.AddSeconds(-1000 - age)),
            "negative" => SignalReading.Of(signal, -Value(signal, scale) - 0.01, Fixtures.T0.AddSeconds(-age)),
            "future" => SignalReading.Of(signal, Value(signal, scale), Fixtures.T0.AddSeconds(60 + age)),
            "nan" => SignalReading.Of(signal, double.NaN, Fixtures.T0.AddSeconds(-age)),
            _ => SignalReading.Of(signal, Value(signal, scale), Fixtures.T0.AddSeconds(-age)),
        };

    private static double Value(string signal, int scale) => signal switch
    {
        SignalNames.GpuUtilization => scale / 2000.0, // 0 .. 2
        SignalNames.QueuePerInstance => scale / 100.0, // 0 .. 40
        _ => scale, // ms
    };
}
