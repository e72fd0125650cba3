using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Core.Engine.Recommenders;

/// <summary>Turns one signal's observed value into a recommended group size. One sealed class per <see cref="TargetKind"/>.</summary>
public interface ISignalRecommender
{
    TargetKind Kind { get; }

    /// <param name="observed">The signal's value.</param>
    /// <param name="target">The target from the policy.</param>
    /// <param name="serving">Instances whose metrics produced <paramref name="observed"/>.</param>
    SignalVote Recommend(double observed, double target, int serving);
}

/// <summary>The exact (unrounded) size a signal asks for, or no vote with the reason.</summary>
public readonly record struct SignalVote(double? ExactSize, string Note)
{
    public static SignalVote For(double exactSize, string note) => new(Math.Max(0, exactSize), note);

    public static SignalVote Abstain(string note) => new(null, note);
}
