using AiLbAutoscaler.Simulation.Monitoring;

namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>
/// A scaling policy under test. One small sealed class per policy; a new policy is one new file plus a line in
/// <see cref="PolicyCatalog"/>. The simulator calls <see cref="Tick"/> every <see cref="TickSeconds"/> of simulated time.
/// </summary>
public interface ISimPolicy
{
    string Name { get; }

    double TickSeconds { get; }

    /// <summary>The warm size the group has when the trace starts.</summary>
    int InitialSize { get; }

    void Tick(ISimulatedGroup group);

    /// <summary>The size the policy last asked for, where that differs from the group's (a resize still on its way).</summary>
    int? Desired => null;

    /// <summary>True when the instances it orders boot in exactly the lifecycle's BootSeconds, with no jitter (the oracle's hindsight).</summary>
    bool ExactBoot => false;
}

/// <summary>What a policy can see and do: the live group (as the MIG API shows it), the delayed metrics, and resizing.</summary>
public interface ISimulatedGroup
{
    /// <summary>Simulated seconds since the trace's start.</summary>
    double Now { get; }

    /// <summary>Instances booting or serving.</summary>
    int TargetSize { get; }

    /// <summary>Instances that passed their health check and take traffic.</summary>
    int Serving { get; }

    int Booting { get; }

    /// <summary>Ages of the group's instances since their creation request.</summary>
    IReadOnlyList<TimeSpan> InstanceAges();

    /// <summary>The monitoring pipeline: only minutes already visible may be read.</summary>
    ObservationPipeline Metrics { get; }

    /// <summary>Sets the MIG's target size now (what a MIG autoscaler or a direct resize call does).</summary>
    void Resize(int size);

    /// <summary>Runs an action at a later simulated time (for delayed actuation).</summary>
    void At(double time, Action action);
}
