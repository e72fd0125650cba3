namespace AiLbAutoscaler.Core.State;

/// <summary>
/// Folds one writer's changes into a state another writer saved first, so that neither update is lost.
/// </summary>
public static class StateMerge
{
    /// <param name="theirs">The state as the other writer left it.</param>
    /// <param name="ours">The state this writer meant to save.</param>
    /// <param name="basis">The state this writer started from.</param>
    public static StackState Merge(StackState theirs, StackState ours, StackState basis)
    {
        // History is a set of time-stamped facts: the union keeps both writers' samples and size changes.
        var recommendations = theirs.Recommendations.Concat(ours.Recommendations)
            .DistinctBy(r => (r.At, r.Size)).OrderBy(r => r.At).ToList();
        var events = theirs.ScaleEvents.Concat(ours.ScaleEvents)
            .DistinctBy(e => (e.At, e.From, e.To)).OrderBy(e => e.At).ToList();

        // Scalars: take ours where this writer changed them, else keep theirs.
        var appliedByUs = ours.LastAppliedAt != basis.LastAppliedAt;
        var theirsNewer = theirs.LastAppliedAt > ours.LastAppliedAt;
        // A pending size only stands if the other writer did not apply after this one decided (then theirs is newer).
        var pendingOurs = ours.PendingDesiredSize != basis.PendingDesiredSize && !theirsNewer;
        var merged = theirs with
        {
            Recommendations = recommendations,
            ScaleEvents = events,
            ConsecutiveMissingTicks = ours.ConsecutiveMissingTicks != basis.ConsecutiveMissingTicks ? ours.ConsecutiveMissingTicks : theirs.ConsecutiveMissingTicks,
            LastPanicAt = Later(theirs.LastPanicAt, ours.LastPanicAt),
            Override = ours.Override != basis.Override ? ours.Override : theirs.Override,
            LastAppliedSize = appliedByUs && !theirsNewer ? ours.LastAppliedSize : theirs.LastAppliedSize,
            LastAppliedAt = appliedByUs && !theirsNewer ? ours.LastAppliedAt : theirs.LastAppliedAt,
            PendingDesiredSize = pendingOurs ? ours.PendingDesiredSize : theirs.PendingDesiredSize,
            PendingReason = pendingOurs ? ours.PendingReason : theirs.PendingReason,
            Intent = ours.Intent != basis.Intent ? ours.Intent : theirs.Intent,
            Fence = Max(theirs.Fence, ours.Fence),
            LastTickId = ours.LastTickId != basis.LastTickId ? ours.LastTickId : theirs.LastTickId,
            LastTimerTickAt = Later(theirs.LastTimerTickAt, ours.LastTimerTickAt),
        };

        // A size already applied is not pending any more, whoever applied it.
        return merged.PendingDesiredSize is int p && p == merged.LastAppliedSize
            ? merged with { PendingDesiredSize = null, PendingReason = null }
            : merged;
    }

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
