using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Engine.Schedules;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.State;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Core.Controller;

/// <summary>
/// The read-only side of a stack: its status, its audit history, and pruning the trail. Apart from
/// <see cref="AutoscaleController"/> so that the loop reads as the loop; these take no lease and change no state.
/// </summary>
public sealed class StackQueries(
    IOptionsMonitor<AutoscalerOptions> options,
    IFleetActuator actuator,
    IStackStateStore stateStore,
    IAuditLog audit,
    TimeProvider time)
{
    public IReadOnlyCollection<string> Stacks => options.CurrentValue.Stacks.Keys;

    public ScalingPolicy PolicyFor(string stack) => options.CurrentValue.PolicyFor(stack);

    public async Task<StackStatus> StatusAsync(string stack, CancellationToken cancellationToken)
    {
        var policy = PolicyFor(stack);
        var state = (await stateStore.LoadAsync(stack, cancellationToken)).State;
        int? size = null;
        string? sizeError = null;
        try
        {
            size = await actuator.GetCurrentSizeAsync(stack, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            sizeError = ex.Message;
        }

        var now = time.GetUtcNow();
        var recent = await RecentDecisionsAsync(stack, now, options.CurrentValue.StatusDecisionCount, cancellationToken);
        var activeOverride = state.Override is { } o && o.Until > now ? o : null;
        return new StackStatus(stack, size, sizeError, activeOverride, state.PendingDesiredSize, state.PendingReason,
            state.LastAppliedSize, state.LastAppliedAt, recent,
            [.. ScheduleCalendar.StatusAt(policy, now).Select(ScheduleView.From)]);
    }

    /// <summary>
    /// The newest <paramref name="count"/> records, newest first. The audit trail reads oldest first, so this looks back
    /// over widening windows (an hour, a day, the whole retention) and stops at the first that holds enough: a status
    /// call reads about an hour of a minute-by-minute trail, not all of it.
    /// </summary>
    private async Task<List<AuditRecord>> RecentDecisionsAsync(string stack, DateTimeOffset now, int count, CancellationToken cancellationToken)
    {
        var retention = TimeSpan.FromDays(options.CurrentValue.AuditRetentionDays);
        IReadOnlyList<AuditRecord> records = [];
        foreach (var window in new[] { TimeSpan.FromHours(1), TimeSpan.FromDays(1), retention })
        {
            var lookBack = window < retention ? window : retention;
            records = await audit.QueryAsync(stack, now - lookBack, now.AddTicks(1), int.MaxValue, cancellationToken);
            if (records.Count >= count || lookBack == retention)
            {
                break;
            }
        }

        return records.Skip(Math.Max(0, records.Count - count)).Reverse().ToList();
    }

    public Task<IReadOnlyList<AuditRecord>> HistoryAsync(string stack, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        _ = PolicyFor(stack);
        return audit.QueryAsync(stack, from, to, limit, cancellationToken);
    }

    /// <summary>Deletes audit records past the retention period.</summary>
    public Task<int> PruneAuditAsync(CancellationToken cancellationToken) =>
        audit.PruneAsync(time.GetUtcNow() - TimeSpan.FromDays(options.CurrentValue.AuditRetentionDays), cancellationToken);
}
