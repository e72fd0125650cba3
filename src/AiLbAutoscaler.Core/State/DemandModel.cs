namespace AiLbAutoscaler.Core.State;

/// <summary>
/// What the engine has learned of demand: the busy capacity one request per second costs, and the recent utilization
/// sums waiting for the request rate of the same minute (load-balancer metrics arrive later than instance metrics).
/// </summary>
public sealed record DemandModel(double? CostPerRequest, DateTimeOffset? LearnedAt, IReadOnlyList<UtilizationSample> Pending)
{
    public static DemandModel Empty { get; } = new(null, null, []);
}

/// <summary>The sum of a per-instance utilization over the instances it was taken over, at one time.</summary>
public sealed record UtilizationSample(DateTimeOffset At, double Sum);
