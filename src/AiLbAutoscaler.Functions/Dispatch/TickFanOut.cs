using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Ports;
using Microsoft.Extensions.Logging;

namespace AiLbAutoscaler.Functions.Dispatch;

/// <summary>What one timer occurrence put on the queue.</summary>
public sealed record FanOutResult(string TickId, DateTimeOffset DueAt, DateTimeOffset ExpiresAt, int Enqueued, IReadOnlyList<string> Failed);

/// <summary>Queue dispatch: one message per configured stack for the timer's occurrence, and nothing else.</summary>
public sealed class TickFanOut(AutoscaleController controller, ITickQueue queue, TickSchedule schedule, TimeProvider time, ILogger<TickFanOut> logger)
{
    /// <summary>Enough parallel sends that 500 stacks take well under a second of round trips; not so many that a host is flooded.</summary>
    private const int ParallelSends = 16;

    public async Task<FanOutResult> EnqueueAllAsync(CancellationToken cancellationToken)
    {
        var (due, expires) = schedule.OccurrenceAt(time.GetUtcNow());
        var id = TickSchedule.TickId(due);
        var failed = new System.Collections.Concurrent.ConcurrentBag<string>();
        var enqueued = 0;
        await Parallel.ForEachAsync(controller.Stacks, new ParallelOptions { MaxDegreeOfParallelism = ParallelSends, CancellationToken = cancellationToken }, async (stack, ct) =>
        {
            try
            {
                await queue.EnqueueAsync(new TickMessage(stack, due, expires, id), ct);
                Interlocked.Increment(ref enqueued);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // One stack's lost message skips that stack's tick only; the next occurrence enqueues it again.
                logger.LogError(ex, "Could not enqueue tick {TickId} of stack {Stack}", id, stack);
                failed.Add(stack);
            }
        });

        return new FanOutResult(id, due, expires, enqueued, failed.Order(StringComparer.Ordinal).ToList());
    }
}
