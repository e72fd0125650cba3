namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>A fixed size: the smallest that meets the SLO at the trace's busiest minute (see <see cref="Calibration"/>).</summary>
public sealed class StaticPolicy(int size) : ISimPolicy
{
    public const string PolicyName = "static";

    public string Name => PolicyName;

    public double TickSeconds => 3600;

    public int InitialSize { get; } = size;

    public void Tick(ISimulatedGroup group)
    {
        if (group.TargetSize != InitialSize)
        {
            group.Resize(InitialSize);
        }
    }
}
