namespace AiLbAutoscaler.Simulation;

internal enum EventKind : byte
{
    Completion,
    BootDone,
    DrainTimeout,
    MinuteClose,
    PolicyTick,
    Callback,
    Scrape,
}

/// <summary>A simulation event: a plain struct, so scheduling allocates nothing.</summary>
internal struct SimEvent
{
    public double Time;
    public EventKind Kind;
    public int Slot;
    public int Generation;
    public float TtftMs;
    public float E2eMs;
}

/// <summary>Events in time order; ties in the order they were scheduled, so runs are deterministic.</summary>
internal sealed class EventQueue
{
    private readonly PriorityQueue<SimEvent, Key> _heap = new(1024, new KeyComparer());
    private long _sequence;

    public int Count => _heap.Count;

    public void Schedule(in SimEvent e) => _heap.Enqueue(e, new Key(e.Time, _sequence++));

    public double PeekTime => _heap.TryPeek(out _, out var key) ? key.Time : double.PositiveInfinity;

    public SimEvent Dequeue() => _heap.Dequeue();

    internal readonly record struct Key(double Time, long Sequence);

    private sealed class KeyComparer : IComparer<Key>
    {
        public int Compare(Key x, Key y)
        {
            if (x.Time < y.Time)
            {
                return -1;
            }

            if (x.Time > y.Time)
            {
                return 1;
            }

            return x.Sequence.CompareTo(y.Sequence);
        }
    }
}
