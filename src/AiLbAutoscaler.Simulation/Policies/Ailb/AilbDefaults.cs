using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Simulation.Policies.Ailb;

/// <summary>Settings of the ailb policy that live outside the Core's ScalingPolicy (the simulator-side signal derivers).</summary>
public sealed class AilbOptions
{
}

/// <summary>
/// The ailb default policy for the simulator: a <see cref="ScalingPolicy"/> whose signals and targets were tuned on the
/// backtests in docs/simulation.md. Only the signals and limits are set here; Core files are unchanged.
/// </summary>
public static class AilbDefaults
{
    public static ScalingPolicy Create(SimulationOptions options) => new()
    {
        MinSize = 1,
        MaxSize = options.MaxSize,
        Signals =
        [
            new SignalTarget { Signal = SignalNames.GpuUtilization, Kind = TargetKind.Utilization, Target = 0.7 },
            new SignalTarget { Signal = SignalNames.QueuePerInstance, Kind = TargetKind.Utilization, Target = 16 },
            new SignalTarget { Signal = SignalNames.LatencyP95Ms, Kind = TargetKind.LatencySlo, Target = options.SloMs },
        ],
    };

    public static IReadOnlyList<ISignalDeriver> Derivers(AilbOptions options) => [];
}
