using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Core.Engine.Recommenders;

/// <summary>A group total against a per-instance target: <c>total / target</c> (GCE single-instance assignment, KEDA AverageValue).</summary>
public sealed class PerInstanceRecommender : ISignalRecommender
{
    public TargetKind Kind => TargetKind.PerInstance;

    public SignalVote Recommend(SignalReading reading, SignalTarget target, FleetView fleet) =>
        SignalVote.For(reading.Value!.Value / target.Target, $"total {reading.Value!.Value:0.###} / {target.Target:0.###} per instance");
}
