using AiLbAutoscaler.Simulation.Actuation;
using AiLbAutoscaler.Simulation.Fleet;
using AiLbAutoscaler.Simulation.Monitoring;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation;

/// <summary>Everything about the simulated world that is not the traffic or the policy. Bound from the config file's <c>Simulation</c> section.</summary>
public sealed class SimulationOptions
{
    /// <summary>The TTFT objective, in ms.</summary>
    public double SloMs { get; set; } = 2000;

    /// <summary>The share of requests within the SLO that counts as meeting it (for sizing the static and oracle fleets).</summary>
    public double SloTarget { get; set; } = 0.99;

    /// <summary>The largest group any policy may ask for.</summary>
    public int MaxSize { get; set; } = 2000;

    /// <summary>The warm size every dynamic policy starts at; null sizes it for the trace's first minutes.</summary>
    public int? InitialSize { get; set; }

    /// <summary>
    /// The ailb controller's tick; null: the servers' scrape interval where their metrics are on (15 s, also the HPA's
    /// sync period; the Functions timer's six-field NCRONTAB takes seconds, <c>*/15 * * * * *</c>), else 60 s, since
    /// Cloud Monitoring's minutes gain nothing from a faster tick.
    /// </summary>
    public double? ControllerTickSeconds { get; set; }

    /// <summary>The tick the ailb controller runs at (<see cref="ControllerTickSeconds"/> resolved).</summary>
    public double ControllerTick => ControllerTickSeconds ??
        (Observation is { ServerMetrics.Enabled: true } o ? Math.Max(1, o.ServerMetrics.ScrapeIntervalSeconds) : 60);

    /// <summary>Mean requests per second of the built-in scenarios (before --rate-scale).</summary>
    public double ScenarioBaseRate { get; set; } = 20;

    /// <summary>Token sizes for per-minute traces and scenarios.</summary>
    public TokenDistribution Tokens { get; set; } = new();

    public InstanceModel Instance { get; set; } = new();

    public LifecycleOptions Lifecycle { get; set; } = new();

    public ObservationOptions Observation { get; set; } = new();

    public PulumiOptions Pulumi { get; set; } = new();

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(SloMs > 0))
        {
            errors.Add($"Simulation:SloMs must be more than 0 (was {SloMs}).");
        }

        if (SloTarget is <= 0 or > 1 || double.IsNaN(SloTarget))
        {
            errors.Add($"Simulation:SloTarget must be in (0, 1] (was {SloTarget}).");
        }

        if (MaxSize < 1)
        {
            errors.Add($"Simulation:MaxSize must be 1 or more (was {MaxSize}).");
        }

        if (InitialSize is int s && (s < 0 || s > MaxSize))
        {
            errors.Add($"Simulation:InitialSize must be in [0, MaxSize] (was {s}).");
        }

        if (ControllerTickSeconds is double tick && !(tick >= 1))
        {
            errors.Add($"Simulation:ControllerTickSeconds must be 1 or more (was {ControllerTickSeconds}).");
        }

        if (!(ScenarioBaseRate > 0))
        {
            errors.Add($"Simulation:ScenarioBaseRate must be more than 0 (was {ScenarioBaseRate}).");
        }

        errors.AddRange((Tokens ?? new()).Validate("Simulation:Tokens"));
        errors.AddRange((Instance ?? new()).Validate("Simulation:Instance"));
        errors.AddRange((Lifecycle ?? new()).Validate("Simulation:Lifecycle"));
        errors.AddRange((Observation ?? new()).Validate("Simulation:Observation"));
        errors.AddRange((Pulumi ?? new()).Validate("Simulation:Pulumi"));
        return errors;
    }
}
