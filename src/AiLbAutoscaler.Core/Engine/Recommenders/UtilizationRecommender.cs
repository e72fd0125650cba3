using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Core.Engine.Recommenders;

/// <summary>A per-instance mean against a target: <c>serving × observed / target</c> (the HPA and GCE formula).</summary>
public sealed class UtilizationRecommender : ISignalRecommender
{
    public TargetKind Kind => TargetKind.Utilization;

    public SignalVote Recommend(double observed, double target, int serving) =>
        SignalVote.For(serving * observed / target, $"{serving} serving × {observed:0.###} / {target:0.###}");
}
