namespace AiLbAutoscaler.Simulation.Traffic;

/// <summary>
/// Turns per-minute request counts into arrivals: within each minute a Poisson process at that minute's rate (times the
/// rate scale), token sizes from a <see cref="TokenDistribution"/>, scaled to the minute's token means when it has them.
/// Pulls one minute at a time from its source.
/// </summary>
internal sealed class PoissonArrivalStream : IArrivalStream
{
    private readonly IEnumerator<MinuteCount> _minutes;
    private readonly double _scale;
    private readonly SimRandom _random;
    private readonly TokenDistribution.Sampler _tokens;
    private double _minuteEnd = double.NegativeInfinity;
    private double _rate;
    private double? _promptMean;
    private double? _outputMean;
    private double _t;

    public PoissonArrivalStream(IEnumerable<MinuteCount> minutes, double rateScale, TokenDistribution tokens, SimRandom random)
    {
        _minutes = minutes.GetEnumerator();
        _scale = rateScale;
        _random = random;
        _tokens = tokens.CreateSampler(random);
    }

    public bool TryNext(out Arrival arrival)
    {
        while (true)
        {
            if (_rate > 0)
            {
                _t += _random.Exponential(_rate);
                if (_t < _minuteEnd)
                {
                    arrival = new Arrival(_t, _tokens.Prompt(_promptMean), _tokens.Output(_outputMean));
                    return true;
                }
            }

            if (!_minutes.MoveNext())
            {
                arrival = default;
                return false;
            }

            var m = _minutes.Current;
            _t = m.Minute * 60.0;
            _minuteEnd = _t + 60.0;
            _rate = m.Requests * _scale / 60.0;
            _promptMean = m.PromptTokensMean;
            _outputMean = m.OutputTokensMean;
        }
    }

    public void Dispose() => _minutes.Dispose();
}

/// <summary>Requests in one minute of a per-minute trace (minute 0 is the first minute).</summary>
public readonly record struct MinuteCount(int Minute, double Requests)
{
    /// <summary>The trace did not know this minute; <see cref="Requests"/> and the token means are held from a known minute.</summary>
    public bool Gap { get; init; }

    /// <summary>The minute's mean prompt tokens per request, when the trace has them; token draws are scaled to it.</summary>
    public double? PromptTokensMean { get; init; }

    /// <summary>The minute's mean output tokens per request, when the trace has them.</summary>
    public double? OutputTokensMean { get; init; }
}
