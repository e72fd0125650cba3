using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Functions.Dispatch;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace AiLbAutoscaler.Functions.Functions;

/// <summary>The scheduled work: one tick of every stack, and the daily audit pruning.</summary>
/// <param name="fanOut">Set with Autoscaler:Dispatch = Queue: the timer then only enqueues, and TickStack ticks.</param>
public sealed class TimerFunctions(AutoscaleController controller, StackQueries queries, ILogger<TimerFunctions> logger, TickFanOut? fanOut = null)
{
    /// <summary>
    /// With queue dispatch, enqueues one tick per configured stack and returns. Inline, ticks every configured stack
    /// itself: one failing stack never stops the others (the controller catches per stack); a busy stack is a logged
    /// skip that the next tick retries. The invocation itself only fails on cancellation.
    /// </summary>
    [Function("Autoscale")]
    public async Task AutoscaleAsync(
        [TimerTrigger("%AUTOSCALER_SCHEDULE%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (timer.IsPastDue)
        {
            logger.LogWarning("The Autoscale timer is running late");
        }

        if (fanOut is not null)
        {
            var sent = await fanOut.EnqueueAllAsync(cancellationToken);
            logger.LogInformation("Autoscale tick {TickId}: enqueued {Enqueued} stacks, {Failed} failed to enqueue{FailedStacks}; they expire at {ExpiresAt:O}",
                sent.TickId, sent.Enqueued, sent.Failed.Count, sent.Failed.Count == 0 ? "" : $" ({string.Join(", ", sent.Failed)})", sent.ExpiresAt);
            return;
        }

        var results = await controller.TickAllAsync(DecisionTrigger.Timer, cancellationToken);
        foreach (var result in results)
        {
            switch (result.Outcome)
            {
                case TickOutcome.Busy:
                    logger.LogInformation("Stack {Stack} skipped this tick: {Reason}", result.Stack, result.Error);
                    break;
                case TickOutcome.Failed:
                    logger.LogError("Stack {Stack} failed this tick: {Error}", result.Stack, result.Error);
                    break;
                case TickOutcome.NotDue:
                    logger.LogDebug("Stack {Stack} not due: {Reason}", result.Stack, result.Error);
                    break;
                default:
                    logger.LogInformation("Stack {Stack}: {Action} {Current} → {Desired}, actuation {Actuation}",
                        result.Stack, result.Decision?.Action, result.Decision?.CurrentSize, result.Decision?.DesiredSize, result.Actuation?.Outcome);
                    break;
            }
        }

        logger.LogInformation("Autoscale tick: {Completed} completed, {Busy} busy, {Failed} failed, {NotDue} not due",
            results.Count(r => r.Outcome == TickOutcome.Completed),
            results.Count(r => r.Outcome == TickOutcome.Busy),
            results.Count(r => r.Outcome == TickOutcome.Failed),
            results.Count(r => r.Outcome == TickOutcome.NotDue));
    }

    /// <summary>Deletes audit records older than Autoscaler:AuditRetentionDays.</summary>
    [Function("PruneAudit")]
    public async Task PruneAuditAsync(
        [TimerTrigger("%AUTOSCALER_PRUNE_SCHEDULE%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var pruned = await queries.PruneAuditAsync(cancellationToken);
        logger.LogInformation("Pruned {Count} audit records", pruned);
    }
}
