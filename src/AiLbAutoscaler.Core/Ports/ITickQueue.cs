namespace AiLbAutoscaler.Core.Ports;

/// <summary>
/// Where scheduled ticks wait for a consumer, one message per stack and occurrence, so that stacks are ticked in
/// parallel by as many hosts as the platform starts. Delivery is at least once: the consumer's tick must be idempotent
/// per <see cref="TickMessage.TickId"/> (the controller remembers the last tick id it completed for a stack).
/// </summary>
public interface ITickQueue
{
    /// <summary>Enqueues one tick, visible at once and deleted by the queue unread once <see cref="TickMessage.ExpiresAt"/> has passed.</summary>
    Task EnqueueAsync(TickMessage message, CancellationToken cancellationToken);

    /// <summary>Remembers a tick that gave up after its last try (it goes to the poison queue), with why, for status.</summary>
    Task RecordPoisonedAsync(PoisonedTick tick, CancellationToken cancellationToken);

    /// <summary>The stack's poisoned ticks with <c>At ≥ since</c>, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<PoisonedTick>> PoisonedAsync(string stack, DateTimeOffset since, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// One scheduled tick of one stack: due at the timer's occurrence, worthless once the next one is due.
/// <see cref="TickId"/> names the occurrence (the same for a retry or a second timer run of it).
/// </summary>
public sealed record TickMessage(string Stack, DateTimeOffset DueAt, DateTimeOffset ExpiresAt, string TickId);

/// <summary>A tick that failed on every try and was moved to the poison queue.</summary>
public sealed record PoisonedTick(string Stack, string TickId, DateTimeOffset DueAt, DateTimeOffset At, int Attempts, string Reason);
