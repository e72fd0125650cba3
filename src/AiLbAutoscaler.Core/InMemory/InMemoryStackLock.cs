using System.Collections.Concurrent;
using AiLbAutoscaler.Core.Ports;

namespace AiLbAutoscaler.Core.InMemory;

/// <summary>One writer per stack within one process. For tests and the simulator; the durable lease lives in an adapter.</summary>
public sealed class InMemoryStackLock : IStackLock
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.OrdinalIgnoreCase);
    private long _fence;

    public Task<IStackLease?> TryAcquireAsync(string stack, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(stack, _ => new SemaphoreSlim(1, 1));
        return Task.FromResult<IStackLease?>(gate.Wait(0, cancellationToken) ? new Lease(stack, gate, Interlocked.Increment(ref _fence)) : null);
    }

    private sealed class Lease(string stack, SemaphoreSlim gate, long fence) : IStackLease
    {
        private int _released;

        public string Stack => stack;

        public CancellationToken Lost => CancellationToken.None;

        public long Fence => fence;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }

            return ValueTask.CompletedTask;
        }
    }
}
