namespace AiLbAutoscaler.Core.State;

/// <summary>
/// Everything the controller remembers about one stack between ticks. Function instances are stateless, so this is
/// loaded and saved through <see cref="Ports.IStackStateStore"/> on every tick; the engine never keeps it in memory.
/// </summary>
public sealed record StackState
{
    public static StackState Empty { get; } = new();

    /// <summary>Recommendations inside the stabilization window, oldest first.</summary>
    public IReadOnlyList<RecommendationSample> Recommendations { get; init; } = [];

    /// <summary>The lowest and highest of <paramref name="current"/> and the recommendations after <paramref name="after"/>.</summary>
    public (int Lowest, int Highest) RecommendationRange(DateTimeOffset after, int current)
    {
        var (lowest, highest) = (current, current);
        foreach (var sample in Recommendations)
        {
            if (sample.At > after)
            {
                lowest = Math.Min(lowest, sample.Size);
                highest = Math.Max(highest, sample.Size);
            }
        }

        return (lowest, highest);
    }

    /// <summary>Size changes inside the rate-limit periods, oldest first.</summary>
    public IReadOnlyList<ScaleEvent> ScaleEvents { get; init; } = [];

    /// <summary>Consecutive ticks that had no usable signal.</summary>
    public int ConsecutiveMissingTicks { get; init; }

    /// <summary>When a signal last stood at or above the panic threshold.</summary>
    public DateTimeOffset? LastPanicAt { get; init; }

    public ManualOverride? Override { get; init; }

    public int? LastAppliedSize { get; init; }

    public DateTimeOffset? LastAppliedAt { get; init; }

    /// <summary>A size that was decided but not applied (the update failed or the stack was busy); retried next tick.</summary>
    public int? PendingDesiredSize { get; init; }

    public string? PendingReason { get; init; }

    /// <summary>
    /// An apply that was started and whose result is not recorded yet. Written before the apply, cleared with its result;
    /// one found on the next tick means the record was lost, and that tick reconciles it against the fleet.
    /// </summary>
    public ApplyIntent? Intent { get; init; }

    /// <summary>The fencing token of the lease under which this state was last written (see <see cref="Ports.IStackLease.Fence"/>).</summary>
    public long? Fence { get; init; }

    /// <summary>The learned seasonal profile of the forecast signal, when the policy forecasts.</summary>
    public SeasonalProfile? Forecast { get; init; }

    /// <summary>The learned cost of demand, when the policy learns demand.</summary>
    public DemandModel? Demand { get; init; }

    /// <summary>The learned rises of the request rate, when the policy learns its headroom.</summary>
    public HeadroomModel? Headroom { get; init; }

    /// <summary>The latest readings of the look-ahead's rate, when the policy looks ahead.</summary>
    public TrendModel? Trend { get; init; }

    /// <summary>The request-rate readings of the calm-release window, when the policy releases on calm.</summary>
    public CalmModel? Calm { get; init; }

    /// <summary>
    /// The id of the last queued tick this stack completed (<see cref="Ports.TickMessage.TickId"/>): a second delivery of
    /// the same tick, from a retry or a late timer, is recognised and not applied again.
    /// </summary>
    public string? LastTickId { get; init; }

    /// <summary>When the timer last ticked this stack (not a manual call): the next timer tick waits the stack's tick interval.</summary>
    public DateTimeOffset? LastTimerTickAt { get; init; }

    /// <summary>The state after a size change took effect: the change joins the rate-limit history and nothing is pending.</summary>
    public StackState WithApplied(DateTimeOffset at, int from, int to) => this with
    {
        ScaleEvents = from == to ? ScaleEvents : [.. ScaleEvents, new ScaleEvent(at, from, to)],
        LastAppliedSize = to,
        LastAppliedAt = at,
        PendingDesiredSize = null,
        PendingReason = null,
        Intent = null,
    };

    /// <summary>The state after a size change could not be applied: it stays pending so the next tick tries again.</summary>
    public StackState WithPending(int size, string reason) => this with { PendingDesiredSize = size, PendingReason = reason, Intent = null };
}

/// <summary>An apply of <see cref="To"/> instances over <see cref="From"/>, begun at <see cref="At"/>.</summary>
public sealed record ApplyIntent(int From, int To, DateTimeOffset At);

public sealed record RecommendationSample(DateTimeOffset At, int Size);

public sealed record ScaleEvent(DateTimeOffset At, int From, int To);

/// <summary>
/// A size pinned by an operator until <see cref="Until"/>; afterwards autoscaling resumes from it. A one-shot rescale
/// (no hold) decides with <see cref="OneShot"/>, which no clock can expire, and is never saved.
/// </summary>
public sealed record ManualOverride(int Size, string Reason, DateTimeOffset Until)
{
    public bool IsOneShot => Until == DateTimeOffset.MaxValue;

    public static ManualOverride OneShot(int size, string reason) => new(size, reason, DateTimeOffset.MaxValue);
}

/// <summary>A state with the opaque version (an ETag) it was read at, for optimistic concurrency.</summary>
public sealed record VersionedStackState(StackState State, string? Version);
