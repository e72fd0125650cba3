using AiLbAutoscaler.Core.State;

namespace AiLbAutoscaler.Core.Ports;

/// <summary>Durable per-stack state with optimistic concurrency.</summary>
public interface IStackStateStore
{
    /// <summary>Reads the state; an unknown stack reads as <see cref="StackState.Empty"/> with a null version.</summary>
    Task<VersionedStackState> LoadAsync(string stack, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the state if it is still at <paramref name="expectedVersion"/> (null: only if none exists yet), and returns the new version.
    /// </summary>
    /// <exception cref="StateConflictException">Someone else wrote first; re-read and re-decide.</exception>
    Task<string> SaveAsync(string stack, StackState state, string? expectedVersion, CancellationToken cancellationToken);
}

public sealed class StateConflictException(string stack)
    : Exception($"The state of stack '{stack}' was changed by another writer; re-read it and decide again.")
{
    public string Stack { get; } = stack;
}
