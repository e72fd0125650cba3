using AiLbAutoscaler.Core.Engine.Headroom;
using AiLbAutoscaler.Core.Engine.Recommenders;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Core.Engine.Voting;

/// <summary>
/// The policy's signals, each against its target: a missing, invalid or stale reading is recorded as such; a usable one
/// goes to the recommender of its <see cref="TargetKind"/>.
/// </summary>
public sealed class SignalTargetVoter : IVoter
{
    private readonly Dictionary<TargetKind, ISignalRecommender> _recommenders;

    public SignalTargetVoter(IEnumerable<ISignalRecommender> recommenders)
    {
        _recommenders = recommenders.ToDictionary(r => r.Kind);
        var missing = Enum.GetValues<TargetKind>().Where(k => !_recommenders.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"No signal recommender for target kind(s) {string.Join(", ", missing)}.", nameof(recommenders));
        }
    }

    public void Vote(VotingContext context, Ballot ballot)
    {
        var now = context.Now;
        var policy = context.Policy;
        foreach (var target in policy.Signals)
        {
            var reading = SignalReading.FindIn(context.Input.Signals, target.Signal);
            if (reading is null || !reading.HasValue)
            {
                ballot.Add(Recommendation(target, null, null, SignalStatus.Missing, null, reading?.Problem ?? "no data"));
                continue;
            }

            if (SignalValidity.Problem(reading, target.Kind, now) is { } invalid)
            {
                ballot.Add(Recommendation(target, reading.Value, null, SignalStatus.Missing, null, invalid));
                continue;
            }

            var observed = reading.Value!.Value;
            var age = reading.AgeAt(now);
            if (age > policy.MaxSignalAge)
            {
                ballot.Add(Recommendation(target, observed, age, SignalStatus.Stale, null,
                    $"{age.Value.TotalSeconds:0} s old, over the {policy.MaxSignalAgeSeconds:0} s limit"));
                continue;
            }

            var (goal, learned) = HeadroomVoter.TargetOf(policy, context.Input.State, target);
            var effective = learned is null ? target : new SignalTarget { Signal = target.Signal, Kind = target.Kind, Target = goal };
            var vote = _recommenders[target.Kind].Recommend(reading, effective, new FleetView(context.Current, context.Serving));
            if (vote.Ignored)
            {
                ballot.Add(Recommendation(target, observed, age, SignalStatus.Ignored, null, vote.Note));
                continue;
            }

            int? size = null;
            var note = learned is null ? vote.Note : $"{vote.Note} ({learned})";
            if (vote.ExactSize is double exact)
            {
                (size, note) = ballot.Cast(target.Signal, exact, note, mayPanic: true);
            }

            ballot.Add(Recommendation(effective, observed, age, SignalStatus.Used, size, note));
        }
    }

    private static SignalRecommendation Recommendation(SignalTarget target, double? observed, TimeSpan? age, SignalStatus status, int? size, string note) =>
        new(target.Signal, target.Kind, target.Target, observed, age, status, size, note);
}
