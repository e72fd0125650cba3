using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Core.InMemory;

/// <summary>Options that never change, for a controller built without a host (the simulator, tests).</summary>
public sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
