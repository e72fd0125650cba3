namespace AiLbAutoscaler.Simulation.Scoring;

/// <summary>
/// Sudden rises in a trace's per-minute load ("events": a flash crowd, a launch), found from the requests per minute
/// alone, so the same minutes count for every policy and every trace. A minute starts an event when its requests are at
/// least <see cref="JumpFactor"/> × the mean of the <see cref="BaselineMinutes"/> minutes before it, at least
/// <see cref="MinJumpRequests"/> above that mean (so a near-empty trace's noise is no event), and no event started
/// within the <see cref="BaselineMinutes"/> before it (a sustained crowd is one event, not one per minute).
/// </summary>
public static class LoadEvents
{
    public const double JumpFactor = 2;
    public const int BaselineMinutes = 10;
    public const double MinJumpRequests = 60;

    /// <summary>The minutes that start an event, in order.</summary>
    public static IReadOnlyList<int> Detect(IReadOnlyList<double> requestsPerMinute)
    {
        var events = new List<int>();
        var last = int.MinValue / 2;
        for (var m = 1; m < requestsPerMinute.Count; m++)
        {
            var from = Math.Max(0, m - BaselineMinutes);
            double sum = 0;
            for (var k = from; k < m; k++)
            {
                sum += requestsPerMinute[k];
            }

            var mean = sum / (m - from);
            var now = requestsPerMinute[m];
            if (now >= JumpFactor * mean && now - mean >= MinJumpRequests && m - last > BaselineMinutes)
            {
                events.Add(m);
                last = m;
            }
        }

        return events;
    }
}

/// <summary>How long one event took to recover: null when the SLO was not back before the trace ended.</summary>
public sealed record EventRecovery(int Minute, double? Seconds);

/// <summary>A run's recoveries, equal by content (so two scorecards of the same run compare equal).</summary>
public sealed class EventRecoveries(IEnumerable<EventRecovery> items) : IReadOnlyList<EventRecovery>, IEquatable<EventRecoveries>
{
    private readonly EventRecovery[] _items = [.. items];

    public static EventRecoveries None { get; } = new([]);

    public int Count => _items.Length;

    public EventRecovery this[int index] => _items[index];

    public IEnumerator<EventRecovery> GetEnumerator() => ((IEnumerable<EventRecovery>)_items).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public bool Equals(EventRecoveries? other) => other is not null && _items.AsSpan().SequenceEqual(other._items);

    public override bool Equals(object? obj) => Equals(obj as EventRecoveries);

    public override int GetHashCode() => _items.Aggregate(_items.Length, (h, r) => HashCode.Combine(h, r));

    public override string ToString() => string.Join(", ", _items.Select(r => $"minute {r.Minute}: {(r.Seconds is double s ? $"{s:0} s" : "never")}"));
}

/// <summary>
/// The time from an event's start until the SLO is back: the first minute from which <see cref="HoldMinutes"/> minutes in
/// a row have a p95 TTFT (dropped requests counting as infinitely slow) within the SLO; the time is that minute's start
/// minus the event minute's start, so a policy that never missed the SLO recovers in 0 s. Minute resolution, as the
/// scores are kept per minute. Fed one closed minute at a time: memory is one entry per event.
/// </summary>
public sealed class RecoveryTracker(IReadOnlyList<int> events, double sloMs)
{
    public const int HoldMinutes = 3;

    private readonly double?[] _seconds = new double?[events.Count];
    private int _next;          // the first event not yet recovered
    private int _runStart = -1; // the first minute of the current run of minutes within the SLO
    private int _runLength;

    public void Minute(int minute, double p95Ms)
    {
        var good = double.IsNaN(p95Ms) || p95Ms <= sloMs; // NaN: nothing finished or dropped, so nothing missed
        if (good)
        {
            if (_runLength++ == 0)
            {
                _runStart = minute;
            }
        }
        else
        {
            _runLength = 0;
        }

        while (_next < events.Count && _runLength >= HoldMinutes)
        {
            var e = events[_next];
            var back = Math.Max(_runStart, e);
            if (minute - back + 1 < HoldMinutes)
            {
                break; // the event started inside the run: it needs its own HoldMinutes from its start
            }

            _seconds[_next++] = (back - e) * 60.0;
        }
    }

    public EventRecoveries Results => new(events.Select((e, i) => new EventRecovery(e, _seconds[i])));
}

/// <summary>
/// The physical floor of a recovery: no policy can have new capacity serving sooner than the visibility delay of the
/// fastest signal the simulator offers, plus the actuation's update delay, plus the boot time (issue 12, aim 2).
/// </summary>
public static class RecoveryFloor
{
    public static double Seconds(SimulationOptions options) =>
        options.Observation.FastestVisibilitySeconds + options.Pulumi.UpdateSeconds + options.Lifecycle.BootSeconds;
}
