using System.Globalization;
using AiLbAutoscaler.Core.Engine.Voting;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.State;

namespace AiLbAutoscaler.Core.Engine;

/// <summary>What a rule sees: the input, the clock, the group and the votes of this tick.</summary>
/// <param name="Current">The target size now in force.</param>
/// <param name="Initializing">Instances still inside their initialization period.</param>
/// <param name="Votes">The ballot after every voter has voted.</param>
public sealed record DecisionContext(DecisionInput Input, DateTimeOffset Now, int Current, int Initializing, Ballot Votes)
{
    public ScalingPolicy Policy => Input.Policy;

    public StackState State => Input.State;

    /// <summary>What the signals ask for, after the dead band; with no votes (all within target) the current size.</summary>
    public int Proposal => Votes.Raw ?? Current;

    /// <summary>At least one signal voted.</summary>
    public bool Usable => Votes.AnyUsed;

    /// <summary>No signal is usable only because every instance is still initializing.</summary>
    public bool WarmingUp => !Usable && Votes.Recommendations.Any(r => r.Status == SignalStatus.Ignored);

    /// <summary>Consecutive ticks without a usable signal, this one included (a warm-up neither counts nor resets).</summary>
    public int MissingTicks => Usable ? 0 : WarmingUp ? State.ConsecutiveMissingTicks : State.ConsecutiveMissingTicks + 1;

    /// <summary>The manual override in force now, if any.</summary>
    public ManualOverride? ActiveOverride => State.Override is { } o && Now < o.Until ? o : null;

    public static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
