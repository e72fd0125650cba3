namespace AiLbAutoscaler.Core.Fleet;

/// <summary>
/// The group as the engine sees it: the target size now in force, and the age of each instance where known.
/// Instances younger than the policy's initialization period count as capacity but their metrics are ignored.
/// </summary>
/// <param name="TargetSize">The target size the stack holds now.</param>
/// <param name="InstanceAges">The age of each instance; null when unknown, in which case every instance counts as serving.</param>
public sealed record FleetState(int TargetSize, IReadOnlyList<TimeSpan>? InstanceAges = null)
{
    public int Initializing(TimeSpan initializationPeriod)
    {
        if (InstanceAges is null)
        {
            return 0;
        }

        var count = 0;
        foreach (var age in InstanceAges)
        {
            if (age < initializationPeriod)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// How long the newest instance past the initialization period has served (its age less that period), or null when
    /// ages are unknown or none is past it.
    /// </summary>
    public TimeSpan? NewestServingFor(TimeSpan initializationPeriod)
    {
        TimeSpan? newest = null;
        foreach (var age in InstanceAges ?? [])
        {
            if (age >= initializationPeriod && (newest is null || age - initializationPeriod < newest))
            {
                newest = age - initializationPeriod;
            }
        }

        return newest;
    }

    /// <summary>Instances whose metrics count: all known instances past the initialization period.</summary>
    public int Serving(TimeSpan initializationPeriod) =>
        InstanceAges is null ? TargetSize : InstanceAges.Count - Initializing(initializationPeriod);
}
