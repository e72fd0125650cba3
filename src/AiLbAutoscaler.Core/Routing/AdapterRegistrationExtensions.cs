using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>How an adapter offers itself to the routers: one line in its AddXxx().</summary>
public static class AdapterRegistrationExtensions
{
    /// <summary>Registers <paramref name="factory"/> as the actuator named <paramref name="name"/> (the value of <c>Autoscaler:Stacks:{stack}:Actuator</c>).</summary>
    public static IServiceCollection AddFleetActuatorAdapter(this IServiceCollection services, string name, Func<IServiceProvider, IFleetActuator> factory)
    {
        services.TryAddKeyedSingleton(name, (provider, _) => factory(provider));
        services.AddSingleton(new AdapterRegistration(AdapterNames.ActuatorPort, name));
        return services;
    }

    /// <summary>Registers <paramref name="factory"/> as the metrics source named <paramref name="name"/> (the value of <c>Autoscaler:Stacks:{stack}:Metrics:Adapter</c>).</summary>
    public static IServiceCollection AddMetricsSourceAdapter(this IServiceCollection services, string name, Func<IServiceProvider, IMetricsSource> factory)
    {
        services.TryAddKeyedSingleton(name, (provider, _) => factory(provider));
        services.AddSingleton(new AdapterRegistration(AdapterNames.MetricsPort, name));
        return services;
    }
}
