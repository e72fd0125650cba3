namespace AiLbAutoscaler.Core.State;

/// <summary>The latest readings of the trend's rate signal, oldest first (at most <see cref="Policy.TrendOptions.Points"/>).</summary>
public sealed record TrendModel(IReadOnlyList<RateSample> Recent)
{
    public static TrendModel Empty { get; } = new([]);
}
