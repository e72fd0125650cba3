namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>
/// The MIG autoscaler's stabilization: scale out to a recommendation at once, scale in only to the peak recommendation of
/// the last stabilizationPeriodSec. Shared by the MIG autoscaler's signals (utilization and LB serving capacity).
/// </summary>
internal sealed class MigStabilizer(double stabilizationSeconds)
{
    private readonly Queue<(double At, int Size)> _recommendations = new();

    public void Apply(ISimulatedGroup group, int recommended)
    {
        var now = group.Now;
        while (_recommendations.Count > 0 && _recommendations.Peek().At <= now - stabilizationSeconds)
        {
            _recommendations.Dequeue();
        }

        _recommendations.Enqueue((now, recommended));
        var current = group.TargetSize;
        var peak = 0;
        foreach (var r in _recommendations)
        {
            peak = Math.Max(peak, r.Size);
        }

        var desired = recommended >= current ? recommended : Math.Min(current, peak);
        if (desired != current)
        {
            group.Resize(desired);
        }
    }
}
