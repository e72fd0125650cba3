using AiLbAutoscaler.Adapters.AzureStorage.Queues;
using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Security;
using AiLbAutoscaler.Functions.Dispatch;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace AiLbAutoscaler.Functions.Functions;

/// <summary>
/// One queued tick of one stack (Autoscaler:Dispatch = Queue). The Functions host runs as many of these at once as
/// host.json's queue settings and the plan's instances allow; each takes the stack's lease like any other tick.
/// </summary>
public sealed class TickStackFunctions(
    AutoscaleController controller, QueueHostSettings host, TimeProvider time, SecretRedactor redactor, ILogger<TickStackFunctions> logger,
    ITickQueue? queue = null)
{
    /// <summary>
    /// Completes (the message is deleted) when the tick is done, busy (another writer holds the lease), already done, stale
    /// (older than its period) or unreadable. Throws when the tick failed, so the host retries it up to maxDequeueCount and
    /// then moves it to the poison queue; the last try logs and records that, with the reason, for status.
    /// </summary>
    [Function("TickStack")]
    public async Task TickStackAsync(
        [QueueTrigger("%" + TickQueueOptions.QueueNameSetting + "%")] QueueMessage message, CancellationToken cancellationToken)
    {
        if (!TickMessageJson.TryParse(message.Body?.ToString(), out var tick, out var problem))
        {
            logger.LogError("Dropped queue message {MessageId}: {Problem}", message.MessageId, problem);
            return;
        }

        var now = time.GetUtcNow();
        if (now >= tick!.ExpiresAt)
        {
            logger.LogWarning("Dropped tick {TickId} of stack {Stack}: due at {DueAt:O}, it is older than its period (expired at {ExpiresAt:O}); a stale decision is worse than a skipped one",
                tick.TickId, tick.Stack, tick.DueAt, tick.ExpiresAt);
            return;
        }

        if (!controller.Stacks.Contains(tick.Stack, StringComparer.OrdinalIgnoreCase))
        {
            logger.LogWarning("Dropped tick {TickId}: stack {Stack} is no longer configured", tick.TickId, tick.Stack);
            return;
        }

        TickResult result;
        try
        {
            result = await controller.TickAsync(tick.Stack, DecisionTrigger.Timer, tick.TickId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await NoteFailureAsync(tick, message.DequeueCount, ex.Message, cancellationToken);
            throw;
        }

        switch (result.Outcome)
        {
            case TickOutcome.Busy:
                logger.LogInformation("Stack {Stack} skipped tick {TickId}: {Reason}", tick.Stack, tick.TickId, result.Error);
                break;
            case TickOutcome.AlreadyDone:
                logger.LogInformation("Stack {Stack} skipped tick {TickId}: it was already done (a second delivery)", tick.Stack, tick.TickId);
                break;
            case TickOutcome.NotDue:
                logger.LogDebug("Stack {Stack} skipped tick {TickId}: {Reason}", tick.Stack, tick.TickId, result.Error);
                break;
            case TickOutcome.Failed:
                var reason = redactor.Redact(result.Error ?? "the tick failed");
                await NoteFailureAsync(tick, message.DequeueCount, reason, cancellationToken);
                throw new TickFailedException(tick.Stack, tick.TickId, reason);
            default:
                logger.LogInformation("Stack {Stack} tick {TickId} ({Delay:0.0} s after due): {Action} {Current} → {Desired}, actuation {Actuation}",
                    tick.Stack, tick.TickId, (now - tick.DueAt).TotalSeconds, result.Decision?.Action, result.Decision?.CurrentSize,
                    result.Decision?.DesiredSize, result.Actuation?.Outcome);
                break;
        }
    }

    private async Task NoteFailureAsync(TickMessage tick, long dequeueCount, string error, CancellationToken cancellationToken)
    {
        // The reason goes to the log, to a table and to status: no secret an adapter's error might quote.
        var reason = redactor.Redact(error);
        if (dequeueCount < host.MaxDequeueCount)
        {
            logger.LogWarning("Tick {TickId} of stack {Stack} failed on try {Try} of {Max}; the queue retries it: {Reason}",
                tick.TickId, tick.Stack, dequeueCount, host.MaxDequeueCount, reason);
            return;
        }

        logger.LogError("Tick {TickId} of stack {Stack} failed on its last try ({Try} of {Max}) and goes to the poison queue: {Reason}",
            tick.TickId, tick.Stack, dequeueCount, host.MaxDequeueCount, reason);
        if (queue is null)
        {
            return;
        }

        try
        {
            await queue.RecordPoisonedAsync(new PoisonedTick(tick.Stack, tick.TickId, tick.DueAt, time.GetUtcNow(), (int)dequeueCount, reason), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not record poisoned tick {TickId} of stack {Stack} for status", tick.TickId, tick.Stack);
        }
    }
}

/// <summary>A queued tick that could not decide; thrown so that the queue retries it.</summary>
public sealed class TickFailedException(string stack, string tickId, string reason)
    : Exception($"Tick '{tickId}' of stack '{stack}' failed: {reason}")
{
    public string Stack { get; } = stack;
}
