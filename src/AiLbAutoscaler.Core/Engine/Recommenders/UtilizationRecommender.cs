using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Core.Engine.Recommenders;

/// <summary>A per-instance mean against a target: <c>serving × observed / target</c> (the HPA and GCE formula).</summary>
public sealed class UtilizationRecommender : ISignalRecommender
{
    public TargetKind Kind => TargetKind.Utilization;

    public SignalVote Recommend(SignalReading reading, SignalTarget target, FleetView fleet)
    {
        // A mean is multiplied by the instances it was taken over: the source's count where it knows it, else today's
        // serving instances.
        var over = reading.Instances ?? fleet.Serving;
        if (over <= 0)
        {
            return SignalVote.NoServing;
        }

        var observed = reading.Value!.Value;
        var vote = SignalVote.For(over * observed / target.Target, $"{over} serving × {observed:0.###} / {target.Target:0.###}");

        // Capacity on order: a mean taken over fewer instances than the group now holds predates capacity already
        // ordered; the load per instance it shows (a backlog above all) is what those instances are about to take, so it
        // may not ask for more. Request-rate votes (not distorted by a backlog) still can.
        return reading.Instances is int seen && seen < fleet.Current && vote.ExactSize is double ahead && ahead > fleet.Current + 1e-9
            ? SignalVote.Ignore($"{vote.Note}; taken over {seen} instance(s), {fleet.Current - seen} more already on order: capacity on order, no further scale-up")
            : vote;
    }
}
