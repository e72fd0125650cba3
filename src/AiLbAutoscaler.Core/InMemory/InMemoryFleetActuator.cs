using System.Collections.Concurrent;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Core.InMemory;

/// <summary>Target sizes in process memory. Tests can make the next applies fail or report busy.</summary>
public sealed class InMemoryFleetActuator(int initialSize = 1) : IFleetActuator
{
    private readonly ConcurrentDictionary<string, int> _sizes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<ActuationOutcome> _scripted = new();

    /// <summary>Every apply that changed a size, in order.</summary>
    public ConcurrentQueue<(string Stack, int Size, string Reason)> Applied { get; } = new();

    public void SetSize(string stack, int size) => _sizes[stack] = size;

    /// <summary>The next applies end with these outcomes (Busy or Failed) instead of succeeding.</summary>
    public void FailNext(params ActuationOutcome[] outcomes)
    {
        foreach (var o in outcomes)
        {
            _scripted.Enqueue(o);
        }
    }

    public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) =>
        Task.FromResult(_sizes.GetOrAdd(stack, initialSize));

    public Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken)
    {
        if (_scripted.TryDequeue(out var scripted))
        {
            return Task.FromResult(new ActuationResult(scripted, $"scripted {scripted}"));
        }

        var previous = _sizes.GetOrAdd(stack, initialSize);
        if (previous == desiredSize)
        {
            return Task.FromResult(new ActuationResult(ActuationOutcome.NoChange));
        }

        _sizes[stack] = desiredSize;
        Applied.Enqueue((stack, desiredSize, reason));
        return Task.FromResult(new ActuationResult(ActuationOutcome.Applied, $"{previous} → {desiredSize}"));
    }
}
