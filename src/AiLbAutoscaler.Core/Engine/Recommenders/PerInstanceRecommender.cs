using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Core.Engine.Recommenders;

/// <summary>A group total against a per-instance target: <c>total / target</c> (GCE single-instance assignment, KEDA AverageValue).</summary>
public sealed class PerInstanceRecommender : ISignalRecommender
{
    public TargetKind Kind => TargetKind.PerInstance;

    public SignalVote Recommend(double observed, double target, int serving) =>
        SignalVote.For(observed / target, $"total {observed:0.###} / {target:0.###} per instance");
}
