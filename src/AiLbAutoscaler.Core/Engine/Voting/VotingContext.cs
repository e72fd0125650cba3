using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;

namespace AiLbAutoscaler.Core.Engine.Voting;

/// <summary>What a voter sees: the input, the clock, and the group with warm-up applied.</summary>
/// <param name="Current">The target size now in force.</param>
/// <param name="Serving">Instances past their initialization period, whose metrics count.</param>
public sealed record VotingContext(DecisionInput Input, DateTimeOffset Now, int Current, int Serving)
{
    public ScalingPolicy Policy => Input.Policy;

    /// <summary>The reading of <paramref name="signal"/> when it has a valid value no older than the policy allows, else null.</summary>
    public SignalReading? Fresh(string signal) => FreshIn(Input, Now, signal);

    /// <summary><see cref="Fresh"/> for a caller outside the voting phase (a rule).</summary>
    public static SignalReading? FreshIn(DecisionInput input, DateTimeOffset now, string signal)
    {
        var reading = SignalReading.FindIn(input.Signals, signal);
        var kind = input.Policy.TargetFor(signal)?.Kind ?? TargetKind.PerInstance;
        return reading is not null && reading.HasValue && !(reading.AgeAt(now) > input.Policy.MaxSignalAge) &&
               SignalValidity.Problem(reading, kind, now) is null
            ? reading
            : null;
    }

    /// <summary>The <see cref="Fresh"/> reading of <paramref name="signal"/> when it is newer than <paramref name="last"/> (a voter's newest learned reading), else null.</summary>
    public SignalReading? FreshAfter(string signal, DateTimeOffset? last) =>
        Fresh(signal) is { } reading && (last is null || reading.ObservedAt > last) ? reading : null;

    /// <summary><see cref="FreshAfter(string, DateTimeOffset?)"/> after the newest of a voter's learned readings.</summary>
    public SignalReading? FreshAfter(string signal, IReadOnlyList<RateSample> learned) =>
        FreshAfter(signal, learned.Count > 0 ? learned[^1].At : null);
}
