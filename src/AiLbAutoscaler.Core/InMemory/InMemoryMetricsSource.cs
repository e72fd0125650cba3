using System.Collections.Concurrent;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Core.InMemory;

/// <summary>Returns whatever observation was last set for a stack; empty (every signal missing) otherwise.</summary>
public sealed class InMemoryMetricsSource : IMetricsSource
{
    private readonly ConcurrentDictionary<string, Observation> _observations = new(StringComparer.OrdinalIgnoreCase);

    public void Set(string stack, Observation observation) => _observations[stack] = observation;

    public void Set(string stack, params SignalReading[] readings) => _observations[stack] = new Observation(readings);

    public Task<Observation> ObserveAsync(string stack, CancellationToken cancellationToken) =>
        Task.FromResult(_observations.TryGetValue(stack, out var o) ? o : Observation.Empty);
}
