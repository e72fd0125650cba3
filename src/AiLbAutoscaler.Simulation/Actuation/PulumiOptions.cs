namespace AiLbAutoscaler.Simulation.Actuation;

/// <summary>How the simulated Pulumi update behaves for the policies that resize through the stack (ailb).</summary>
public sealed class PulumiOptions
{
    /// <summary>From the start of <c>pulumi up</c> to the MIG seeing the new target size.</summary>
    public double UpdateSeconds { get; set; } = 60;

    /// <summary>The update time is drawn uniformly within ± this fraction.</summary>
    public double UpdateJitter { get; set; } = 0.25;

    /// <summary>The chance that one update fails (the size stays; the controller keeps it pending and retries).</summary>
    public double FailureProbability { get; set; } = 0.02;

    public IEnumerable<string> Validate(string path)
    {
        if (!(UpdateSeconds >= 0) || UpdateJitter is < 0 or >= 1 || FailureProbability is < 0 or > 1 || double.IsNaN(FailureProbability))
        {
            yield return $"{path}: UpdateSeconds must be ≥ 0, UpdateJitter in [0, 1) and FailureProbability in [0, 1].";
        }
    }
}
