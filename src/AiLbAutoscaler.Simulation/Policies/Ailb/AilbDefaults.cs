using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Simulation.Policies.Ailb;

/// <summary>
/// The ailb policy in the simulator is the Core's own default (<see cref="ScalingPolicy.CreateDefault"/>), bounded by the
/// simulated group's size limit: what a backtest of <c>ailb</c> shows is what a stack without a tuned policy would run.
/// </summary>
public static class AilbDefaults
{
    public static ScalingPolicy Create(SimulationOptions options)
    {
        var policy = ScalingPolicy.CreateDefault();
        policy.MinSize = 1;
        policy.MaxSize = options.MaxSize;
        return policy;
    }
}
