namespace AiLbAutoscaler.Simulation.Traffic;

/// <summary>
/// The built-in scenarios: per-minute request counts generated from the seed, then replayed as Poisson arrivals.
/// The base rate (requests per second) is the scenario's mean or calm level.
/// </summary>
public static class Scenarios
{
    public const string Steady = "steady";
    public const string Diurnal = "diurnal";
    public const string Spike = "spike";
    public const string Ramp = "ramp";

    public static IReadOnlyList<string> Names { get; } = [Steady, Diurnal, Spike, Ramp];

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.OrdinalIgnoreCase);

    public static int DurationMinutes(string name) => name.ToLowerInvariant() switch
    {
        Steady => 120,
        Diurnal => 1440,
        Spike => 120,
        Ramp => 180,
        _ => throw Unknown(name),
    };

    /// <summary>The noise-free rate (requests per second) of a scenario at a minute.</summary>
    public static double Shape(string name, int minute, double baseRate) => name.ToLowerInvariant() switch
    {
        Steady => baseRate,

        // A day: trough at 0.4× the mean at midnight, peak at 1.6× at noon.
        Diurnal => baseRate * (1 + 0.6 * Math.Sin(2 * Math.PI * (minute - 360) / 1440.0)),

        // Calm, then 10× within one minute at minute 40, for 15 minutes, then calm again.
        Spike => minute is >= 40 and < 55 ? 10 * baseRate : baseRate,

        // From 0.25× to 2.5× over two hours, then an hour at 2.5×.
        Ramp => baseRate * (0.25 + 2.25 * Math.Min(1.0, minute / 120.0)),
        _ => throw Unknown(name),
    };

    /// <summary>The per-minute counts, with ±5 % seeded noise per minute.</summary>
    public static IEnumerable<MinuteCount> Minutes(string name, double baseRate, ulong seed)
    {
        var random = SimRandom.For(seed, "scenario:" + name.ToLowerInvariant());
        var n = DurationMinutes(name);
        for (var m = 0; m < n; m++)
        {
            var noise = 1 + 0.05 * Math.Clamp(random.Normal(), -3, 3);
            yield return new MinuteCount(m, Shape(name, m, baseRate) * 60 * noise);
        }
    }

    private static ArgumentException Unknown(string name) =>
        new($"Unknown scenario '{name}'. Known scenarios: {string.Join(", ", Names)}.");
}
