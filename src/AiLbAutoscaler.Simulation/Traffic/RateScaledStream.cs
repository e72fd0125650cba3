namespace AiLbAutoscaler.Simulation.Traffic;

/// <summary>
/// Scales a per-request trace by a factor X: each request is kept ⌊X⌋ times and once more with probability X − ⌊X⌋.
/// The first copy keeps its time; extra copies are spread uniformly over the following <see cref="SpreadSeconds"/> so that
/// copies do not form artificial bursts. A small reorder heap keeps the output in time order; it holds only the copies
/// within that spread, so memory stays flat in the trace's length.
/// </summary>
internal sealed class RateScaledStream(IArrivalStream inner, double scale, SimRandom random) : IArrivalStream
{
    public const double SpreadSeconds = 1.0;

    private readonly PriorityQueue<Arrival, double> _pending = new();
    private readonly int _whole = (int)Math.Floor(scale);
    private readonly double _fraction = scale - Math.Floor(scale);
    private double _lastSourceTime = double.NegativeInfinity;
    private bool _sourceDone;

    public bool TryNext(out Arrival arrival)
    {
        while (true)
        {
            if (_pending.TryPeek(out var head, out var at) && (_sourceDone || at <= _lastSourceTime))
            {
                _pending.Dequeue();
                arrival = head;
                return true;
            }

            if (_sourceDone)
            {
                arrival = default;
                return false;
            }

            if (!inner.TryNext(out var a))
            {
                _sourceDone = true;
                continue;
            }

            _lastSourceTime = a.Time;
            var copies = _whole + (_fraction > 0 && random.NextDouble() < _fraction ? 1 : 0);
            for (var i = 0; i < copies; i++)
            {
                var t = i == 0 ? a.Time : a.Time + random.NextDouble() * SpreadSeconds;
                _pending.Enqueue(a with { Time = t }, t);
            }
        }
    }

    public void Dispose() => inner.Dispose();
}
