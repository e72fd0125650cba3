namespace AiLbAutoscaler.Core.State;

/// <summary>
/// What the engine has learned of how fast load rises (<see cref="Policy.HeadroomOptions"/>): the latest request-rate
/// readings within one reaction time, and a decaying histogram of the relative rises seen within a reaction time.
/// Bounded: a few readings and <see cref="Engine.Headroom.RiseHistogram.Buckets"/> weights.
/// </summary>
/// <param name="Recent">Rate readings not yet a reaction time old, oldest first.</param>
/// <param name="Weights">Decayed weight of each rise bucket (see <see cref="Engine.Headroom.RiseHistogram"/>).</param>
/// <param name="UpdatedAt">The reading time the weights were last decayed to.</param>
public sealed record HeadroomModel(IReadOnlyList<RateSample> Recent, IReadOnlyList<double> Weights, DateTimeOffset? UpdatedAt)
{
    public static HeadroomModel Empty { get; } = new([], [], null);
}

/// <summary>A request-rate reading, and the reaction time that applied when it was read.</summary>
public sealed record RateSample(DateTimeOffset At, double Rate, double HorizonSeconds);
