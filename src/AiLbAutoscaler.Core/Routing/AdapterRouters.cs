using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using Microsoft.Extensions.DependencyInjection;

namespace AiLbAutoscaler.Core.Routing;

/// <summary>Resolves the keyed adapter a stack's setting names; names match case-insensitively, as the settings always have.</summary>
internal sealed class AdapterResolver<TPort>(IServiceProvider services, IEnumerable<AdapterRegistration> registrations, PortSelection selection)
    where TPort : notnull
{
    private readonly Dictionary<string, string> _names = registrations.Where(r => r.Port == selection.Port)
        .GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => g.First().Name, StringComparer.OrdinalIgnoreCase);

    public TPort For(string stack)
    {
        var choice = selection.For(stack);
        return _names.TryGetValue(choice.Name, out var name)
            ? services.GetRequiredKeyedService<TPort>(name)
            : throw new InvalidOperationException($"{choice.Setting} is '{choice.Name}', but no {selection.Port} adapter by that name is registered.");
    }
}

/// <summary>The registered <see cref="IFleetActuator"/>: sends each stack to the actuator its settings name.</summary>
public sealed class FleetActuatorRouter(IServiceProvider services, IEnumerable<AdapterRegistration> registrations, StackAdapterSelection selection)
    : IFleetActuator
{
    private readonly AdapterResolver<IFleetActuator> _adapters = new(services, registrations, selection.Actuators);

    public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) =>
        _adapters.For(stack).GetCurrentSizeAsync(stack, cancellationToken);

    public Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken) =>
        _adapters.For(stack).ApplyAsync(stack, desiredSize, reason, cancellationToken);
}

/// <summary>The registered <see cref="IMetricsSource"/>: reads each stack through the source its settings name.</summary>
public sealed class MetricsSourceRouter(IServiceProvider services, IEnumerable<AdapterRegistration> registrations, StackAdapterSelection selection)
    : IMetricsSource
{
    private readonly AdapterResolver<IMetricsSource> _adapters = new(services, registrations, selection.Metrics);

    public Task<Observation> ObserveAsync(string stack, CancellationToken cancellationToken) =>
        _adapters.For(stack).ObserveAsync(stack, cancellationToken);

    public TimeSpan? SamplePeriod(string stack) => _adapters.For(stack).SamplePeriod(stack);
}
