using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Core.Engine.Voting;

/// <summary>What a voter sees: the input, the clock, and the group with warm-up applied.</summary>
/// <param name="Current">The target size now in force.</param>
/// <param name="Serving">Instances past their initialization period, whose metrics count.</param>
public sealed record VotingContext(DecisionInput Input, DateTimeOffset Now, int Current, int Serving)
{
    public ScalingPolicy Policy => Input.Policy;

    /// <summary>The reading of <paramref name="signal"/> when it has a valid value no older than the policy allows, else null.</summary>
    public SignalReading? Fresh(string signal)
    {
        var reading = SignalReading.FindIn(Input.Signals, signal);
        var kind = Policy.TargetFor(signal)?.Kind ?? TargetKind.PerInstance;
        return reading is not null && reading.HasValue && !(reading.AgeAt(Now) > Policy.MaxSignalAge) &&
               SignalValidity.Problem(reading, kind, Now) is null
            ? reading
            : null;
    }

    /// <summary>The <see cref="Fresh"/> reading of <paramref name="signal"/> when it is newer than <paramref name="last"/> (a voter's newest learned reading), else null.</summary>
    public SignalReading? FreshAfter(string signal, DateTimeOffset? last) =>
        Fresh(signal) is { } reading && (last is null || reading.ObservedAt > last) ? reading : null;
}
