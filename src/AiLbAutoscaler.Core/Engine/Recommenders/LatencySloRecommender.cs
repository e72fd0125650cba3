using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Core.Engine.Recommenders;

/// <summary>
/// Latency against an SLO. Above the SLO it asks for <c>serving × observed / slo</c>; at or below it abstains, because low
/// latency says nothing about how much capacity could be removed without breaking the SLO.
/// </summary>
public sealed class LatencySloRecommender : ISignalRecommender
{
    public TargetKind Kind => TargetKind.LatencySlo;

    public SignalVote Recommend(double observed, double target, int serving) =>
        observed > target
            ? SignalVote.For(serving * observed / target, $"{observed:0.#} ms over the {target:0.#} ms SLO")
            : SignalVote.Abstain($"{observed:0.#} ms within the {target:0.#} ms SLO; latency alone never scales down");
}
