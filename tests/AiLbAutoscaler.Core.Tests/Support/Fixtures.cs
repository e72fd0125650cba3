using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;
using Microsoft.Extensions.Time.Testing;

namespace AiLbAutoscaler.Core.Tests.Support;

/// <summary>Policies, signals and clocks shared by the engine and controller tests.</summary>
internal static class Fixtures
{
    /// <summary>The instant every test clock starts at.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);

    public static readonly TimeSpan Minute = TimeSpan.FromSeconds(60);

    public static FakeTimeProvider Clock() => new(T0);

    public static SignalTarget Utilization(string signal, double target) =>
        new() { Signal = signal, Kind = TargetKind.Utilization, Target = target };

    public static SignalTarget PerInstance(string signal, double target) =>
        new() { Signal = signal, Kind = TargetKind.PerInstance, Target = target };

    public static SignalTarget LatencySlo(double sloMs) =>
        new() { Signal = SignalNames.LatencyP95Ms, Kind = TargetKind.LatencySlo, Target = sloMs };

    /// <summary>
    /// A policy in which nothing but the signals and the tolerance shapes the decision: wide bounds, no stabilization,
    /// rate limits too wide to bite, panic off. Tests switch on the one rule they exercise.
    /// </summary>
    public static ScalingPolicy Open(params SignalTarget[] signals) => new()
    {
        MinSize = 0,
        MaxSize = 1000,
        ScaleDownStabilizationSeconds = 0,
        InitializationPeriodSeconds = 0,
        ScaleUpLimit = new RateLimit { Percent = 100_000, Instances = 100_000, PeriodSeconds = 60 },
        ScaleDownLimit = new RateLimit { Percent = 100, Instances = 100_000, PeriodSeconds = 60 },
        PanicThreshold = 0,
        Signals = [.. signals],
    };

    /// <summary>The shipped defaults (600 s stabilization, +100 %/+4 and −10 %/−1 per minute, panic at 2×) with the given signals.</summary>
    public static ScalingPolicy Defaults(params SignalTarget[] signals) => new() { MinSize = 0, MaxSize = 100, Signals = [.. signals] };

    public static SignalReading Reading(string signal, double value, DateTimeOffset at) => SignalReading.Of(signal, value, at);
}

/// <summary>
/// Drives the pure engine the way the controller does: decide, apply the size if it changed (recording the change in the
/// state), save the next state, advance the clock. Lets a test replay a sequence of ticks without any port.
/// </summary>
internal sealed class EngineLoop(ScalingPolicy policy, int size, string stack = "svc")
{
    public FakeTimeProvider Clock { get; } = Fixtures.Clock();

    public ScalingPolicy Policy { get; } = policy;

    public int Size { get; private set; } = size;

    public StackState State { get; set; } = StackState.Empty;

    public IReadOnlyList<TimeSpan>? InstanceAges { get; set; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Decides on readings stamped now, applies the result, and returns the decision (the clock does not move).</summary>
    public ScalingDecision Tick(params (string Signal, double Value)[] readings) =>
        TickWith([.. readings.Select(r => SignalReading.Of(r.Signal, r.Value, Now))]);

    public ScalingDecision TickWith(IReadOnlyList<SignalReading> readings)
    {
        var outcome = new DecisionEngine(Clock).Decide(
            new DecisionInput(stack, Policy, new FleetState(Size, InstanceAges), readings, State));
        var decision = outcome.Decision;
        State = decision.ChangesSize
            ? outcome.NextState.WithApplied(Now, decision.CurrentSize, decision.DesiredSize)
            : outcome.NextState;
        Size = decision.DesiredSize;
        return decision;
    }

    public void Advance(TimeSpan by) => Clock.Advance(by);

    public void AdvanceMinutes(double minutes) => Clock.Advance(TimeSpan.FromMinutes(minutes));
}

/// <summary>One-shot decisions against a fixed clock.</summary>
internal static class OneShot
{
    public static ScalingDecision Decide(
        ScalingPolicy policy, int size, params (string Signal, double Value)[] readings) =>
        Decide(policy, new FleetState(size), StackState.Empty, readings);

    public static ScalingDecision Decide(
        ScalingPolicy policy, FleetState fleet, StackState state, params (string Signal, double Value)[] readings) =>
        DecideFull(policy, fleet, state, readings).Decision;

    public static DecisionOutcome DecideFull(
        ScalingPolicy policy, FleetState fleet, StackState state, params (string Signal, double Value)[] readings)
    {
        var clock = Fixtures.Clock();
        var signals = readings.Select(r => SignalReading.Of(r.Signal, r.Value, clock.GetUtcNow())).ToList();
        return new DecisionEngine(clock).Decide(new DecisionInput("svc", policy, fleet, signals, state));
    }
}
