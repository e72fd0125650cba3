using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Simulation.Policies.Ailb;

/// <summary>
/// The ailb default policy for the simulator: a Core <see cref="ScalingPolicy"/> (every rule at its Core default: 0.1
/// tolerance, 600 s scale-down stabilization, +100 %/+4 per 60 s up, −10 %/−1 per 60 s down, panic at 2×, no scale-down
/// while instances initialize) whose signals and targets were tuned on the backtests in docs/simulation.md:
/// <list type="bullet">
/// <item><c>gpu_utilization_sum</c> ÷ 0.4 — the group's busy batch slots at a 40 % target (headroom for ~7 minutes of
/// reaction time: 180 s metric delay, 60 s update, 180 s boot);</item>
/// <item><c>demand_utilization_sum_forecast</c> ÷ 0.4 — the request rate in the same units, which keeps rising when the
/// fleet saturates, raised by the seasonal growth expected over the next 8 minutes (never below the current demand);</item>
/// <item><c>queue_total</c> ÷ 32 — a backstop: one full batch of outstanding requests per instance.</item>
/// </list>
/// Sums with PerInstance targets are used instead of means with Utilization targets, because the Core's Utilization
/// recommender multiplies a minutes-old mean by today's serving count, which compounds during scale-up (see the report).
/// </summary>
public static class AilbDefaults
{
    public const double UtilizationTarget = 0.4;
    public const double QueueTarget = 32;

    public static ScalingPolicy Create(SimulationOptions options) => new()
    {
        MinSize = 1,
        MaxSize = options.MaxSize,
        Signals =
        [
            new SignalTarget { Signal = SimSignalNames.GpuUtilizationSum, Kind = TargetKind.PerInstance, Target = UtilizationTarget },
            new SignalTarget { Signal = SimSignalNames.DemandForecast, Kind = TargetKind.PerInstance, Target = UtilizationTarget },
            new SignalTarget { Signal = SimSignalNames.QueueTotal, Kind = TargetKind.PerInstance, Target = QueueTarget },
        ],
    };

    public static IReadOnlyList<ISignalDeriver> Derivers(AilbOptions options) => options.DeriveDemand ? [new DemandForecaster(options)] : [];
}
