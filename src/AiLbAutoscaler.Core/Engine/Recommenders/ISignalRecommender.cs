using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Core.Engine.Recommenders;

/// <summary>
/// Turns one usable reading into a recommended group size. One sealed class per <see cref="TargetKind"/>; each chooses
/// the instance count its formula is taken over and may set the reading aside (<see cref="SignalVote.Ignore"/>).
/// </summary>
public interface ISignalRecommender
{
    TargetKind Kind { get; }

    /// <param name="reading">A reading with a valid, fresh value.</param>
    /// <param name="target">The signal's target from the policy.</param>
    /// <param name="fleet">The group as the engine sees it this tick.</param>
    SignalVote Recommend(SignalReading reading, SignalTarget target, FleetView fleet);
}

/// <summary>The group for a recommender: the target size now in force and the instances past their initialization period.</summary>
public readonly record struct FleetView(int Current, int Serving);

/// <summary>The exact (unrounded) size a signal asks for, an abstention, or a reading set aside; each with the reason.</summary>
public readonly record struct SignalVote(double? ExactSize, string Note, bool Ignored = false)
{
    public static SignalVote For(double exactSize, string note) => new(Math.Max(0, exactSize), note);

    public static SignalVote Abstain(string note) => new(null, note);

    /// <summary>The reading is present but says nothing this tick (status <see cref="SignalStatus.Ignored"/>).</summary>
    public static SignalVote Ignore(string note) => new(null, note, Ignored: true);

    /// <summary>A mean says nothing when every instance is still warming up.</summary>
    public static SignalVote NoServing { get; } = Ignore("no serving instance past its initialization period");
}
