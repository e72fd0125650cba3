namespace AiLbAutoscaler.Simulation.Traffic;

/// <summary>What to replay: a trace file or a built-in scenario, scaled, seeded.</summary>
public sealed class TraceSpec
{
    private TraceSpec(string? path, string? scenario, double rateScale, ulong seed, TokenDistribution tokens, double scenarioBaseRate)
    {
        Path = path;
        Scenario = scenario;
        RateScale = rateScale;
        Seed = seed;
        Tokens = tokens;
        ScenarioBaseRate = scenarioBaseRate;
        Kind = path is null ? TraceKind.PerMinute : TraceFiles.DetectKind(path);
    }

    public string? Path { get; }

    public string? Scenario { get; }

    public double RateScale { get; }

    public ulong Seed { get; }

    public TokenDistribution Tokens { get; }

    public double ScenarioBaseRate { get; }

    public TraceKind Kind { get; }

    /// <summary>The name reports use: the file name, or <c>scenario:name</c>.</summary>
    public string Name => Path is not null ? System.IO.Path.GetFileName(Path) : $"scenario:{Scenario}";

    public static TraceSpec FromFile(string path, double rateScale, ulong seed, TokenDistribution? tokens = null)
    {
        CheckScale(rateScale);
        return new TraceSpec(path, null, rateScale, seed, tokens ?? new TokenDistribution(), 0);
    }

    public static TraceSpec FromScenario(string scenario, double rateScale, ulong seed, double baseRate = 20, TokenDistribution? tokens = null)
    {
        CheckScale(rateScale);
        if (!Scenarios.IsKnown(scenario))
        {
            throw new ArgumentException($"Unknown scenario '{scenario}'. Known scenarios: {string.Join(", ", Scenarios.Names)}.");
        }

        if (!(baseRate > 0))
        {
            throw new ArgumentException($"The scenario base rate must be more than 0 requests per second (was {baseRate}).");
        }

        return new TraceSpec(null, scenario.ToLowerInvariant(), rateScale, seed, tokens ?? new TokenDistribution(), baseRate);
    }

    private static void CheckScale(double rateScale)
    {
        if (!(rateScale > 0) || !double.IsFinite(rateScale))
        {
            throw new ArgumentException($"The rate scale must be a finite number more than 0 (was {rateScale}).");
        }
    }

    /// <summary>Opens the arrivals of minutes [fromMinute, toMinute), streamed. Each call replays the same arrivals.</summary>
    public IArrivalStream Open(int fromMinute = 0, int toMinute = int.MaxValue)
    {
        var random = SimRandom.For(Seed, $"arrivals:{fromMinute}");
        if (Kind == TraceKind.PerRequest)
        {
            IArrivalStream raw = TraceFiles.OpenRequests(Path!);
            if (RateScale != 1)
            {
                raw = new RateScaledStream(raw, RateScale, random);
            }

            return fromMinute == 0 && toMinute == int.MaxValue ? raw : new WindowStream(raw, fromMinute * 60.0, toMinute * 60.0);
        }

        return new PoissonArrivalStream(Window(MinuteSource(), fromMinute, toMinute), RateScale, Tokens, random);
    }

    /// <summary>
    /// The expected requests per minute after scaling (a first pass over the trace; one number per minute, so a two-week
    /// trace needs 20,160 of them). Used by the static and oracle policies and to size the starting fleet.
    /// </summary>
    public double[] MinuteProfile()
    {
        var counts = new List<double>();
        if (Kind == TraceKind.PerRequest)
        {
            using var stream = TraceFiles.OpenRequests(Path!);
            while (stream.TryNext(out var a))
            {
                var m = (int)(a.Time / 60);
                while (counts.Count <= m)
                {
                    counts.Add(0);
                }

                counts[m] += RateScale;
            }
        }
        else
        {
            foreach (var m in MinuteSource())
            {
                while (counts.Count <= m.Minute)
                {
                    counts.Add(0);
                }

                counts[m.Minute] = m.Requests * RateScale;
            }
        }

        return [.. counts];
    }

    /// <summary>How many minutes of a per-minute trace are gaps (replayed at the held rate); 0 for other traces.</summary>
    public int GapMinutes() => Kind == TraceKind.PerMinute ? MinuteSource().Count(m => m.Gap) : 0;

    private IEnumerable<MinuteCount> MinuteSource() =>
        Path is not null ? TraceFiles.ReadMinutes(Path) : Scenarios.Minutes(Scenario!, ScenarioBaseRate, Seed);

    private static IEnumerable<MinuteCount> Window(IEnumerable<MinuteCount> source, int from, int to)
    {
        foreach (var m in source)
        {
            if (m.Minute >= to)
            {
                yield break;
            }

            if (m.Minute >= from)
            {
                yield return m;
            }
        }
    }

    private sealed class WindowStream(IArrivalStream inner, double from, double to) : IArrivalStream
    {
        public bool TryNext(out Arrival arrival)
        {
            while (inner.TryNext(out arrival))
            {
                if (arrival.Time >= to)
                {
                    return false;
                }

                if (arrival.Time >= from)
                {
                    return true;
                }
            }

            return false;
        }

        public void Dispose() => inner.Dispose();
    }
}
