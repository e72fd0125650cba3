namespace AiLbAutoscaler.Core.State;

/// <summary>
/// The request-rate readings of the calm-release window (<see cref="Policy.CalmReleaseOptions"/>), oldest first: every
/// reading inside the window and the newest one before it, which shows the window is covered.
/// </summary>
public sealed record CalmModel(IReadOnlyList<RateSample> Recent)
{
    public static CalmModel Empty { get; } = new([]);
}
