using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Core.Engine.Recommenders;

/// <summary>
/// Latency against an SLO. Above the SLO it asks for <c>serving × observed / slo</c>; at or below it abstains, because low
/// latency says nothing about how much capacity could be removed without breaking the SLO.
/// </summary>
public sealed class LatencySloRecommender : ISignalRecommender
{
    public TargetKind Kind => TargetKind.LatencySlo;

    public SignalVote Recommend(SignalReading reading, SignalTarget target, FleetView fleet)
    {
        var (observed, slo, serving) = (reading.Value!.Value, target.Target, fleet.Serving);
        if (serving <= 0)
        {
            return SignalVote.NoServing;
        }

        return observed > slo
            ? SignalVote.For(serving * observed / slo, $"{observed:0.#} ms over the {slo:0.#} ms SLO")
            : SignalVote.Abstain($"{observed:0.#} ms within the {slo:0.#} ms SLO; latency alone never scales down");
    }
}
