using System.Collections.Concurrent;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.State;

namespace AiLbAutoscaler.Core.InMemory;

/// <summary>State in process memory, with the same version check as the durable store. For tests and the simulator.</summary>
public sealed class InMemoryStackStateStore : IStackStateStore
{
    private readonly ConcurrentDictionary<string, VersionedStackState> _states = new(StringComparer.OrdinalIgnoreCase);
    private long _version;

    public Task<VersionedStackState> LoadAsync(string stack, CancellationToken cancellationToken) =>
        Task.FromResult(_states.TryGetValue(stack, out var s) ? s : new VersionedStackState(StackState.Empty, null));

    public Task<string> SaveAsync(string stack, StackState state, string? expectedVersion, CancellationToken cancellationToken)
    {
        var version = Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var next = new VersionedStackState(state, version);
        var ok = expectedVersion is null
            ? _states.TryAdd(stack, next)
            : _states.TryGetValue(stack, out var current) && current.Version == expectedVersion && _states.TryUpdate(stack, next, current);
        return ok ? Task.FromResult(version) : throw new StateConflictException(stack);
    }
}
