using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Core.Engine.Voting;

/// <summary>
/// The votes of one tick: every recommendation with its status, and the largest size asked for (the proposal), after
/// the dead band and the panic test.
/// </summary>
public sealed class Ballot(ScalingPolicy policy, int current)
{
    private readonly List<SignalRecommendation> _recommendations = new(policy.Signals.Count + 2);

    public IReadOnlyList<SignalRecommendation> Recommendations => _recommendations;

    /// <summary>The largest vote, or null when nothing voted.</summary>
    public int? Raw { get; private set; }

    public string? Winner { get; private set; }

    public bool Panic { get; private set; }

    public string? PanicSignal { get; private set; }

    public double PanicLoad { get; private set; }

    public bool AnyUsed => _recommendations.Any(r => r.Status == SignalStatus.Used);

    public void Add(SignalRecommendation recommendation) => _recommendations.Add(recommendation);

    /// <summary>
    /// Rounds one exact vote, applies the dead band and (when <paramref name="mayPanic"/>) the panic test, and lets it
    /// compete for the largest size. Returns the rounded size and the note with the dead band added.
    /// </summary>
    public (int Size, string Note) Cast(string signal, double exact, string note, bool mayPanic)
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
            Panic = true;
            if (load > PanicLoad)
            {
                PanicLoad = load;
                PanicSignal = signal;
            }
        }

        if (Raw is null || size > Raw)
        {
            Raw = size;
            Winner = signal;
        }

        return (size, note);
    }
}
