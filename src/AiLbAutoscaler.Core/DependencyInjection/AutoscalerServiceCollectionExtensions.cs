using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Routing;
using AiLbAutoscaler.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class AutoscalerServiceCollectionExtensions
{
    /// <summary>
    /// The engine and the controller, with options bound from <c>Autoscaler</c> and validated at startup. The actuator and
    /// the metrics source are routers that pick each stack's adapter by name (<see cref="StackAdapterSelection"/>); the
    /// in-memory stand-ins are registered only where a stack selects them, and startup fails when a stack names an adapter
    /// nobody registered. State, lock and audit log default to in-memory; AddAzureStorageState replaces them.
    /// </summary>
    public static IServiceCollection AddAutoscalerCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AutoscalerOptions>()
            .Bind(configuration.GetSection(AutoscalerOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<AutoscalerOptions>, AutoscalerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AutoscalerOptions>, AutoscalerOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddSecretRedactor(configuration);
        foreach (var recommender in DecisionPipeline.Recommenders)
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton(recommender));
        }

        services.TryAddSingleton<DecisionEngine>();
        services.TryAddSingleton<AutoscalerTelemetry>(); // on the container's IMeterFactory where the host has one
        services.TryAddSingleton<AutoscaleController>();
        services.TryAddSingleton<StackQueries>();

        var selection = StackAdapterSelection.From(configuration);
        services.TryAddSingleton(selection);
        services.TryAddSingleton<IFleetActuator, FleetActuatorRouter>();
        services.TryAddSingleton<IMetricsSource, MetricsSourceRouter>();
        if (selection.Actuators.Uses(AdapterNames.InMemory))
        {
            services.AddFleetActuatorAdapter(AdapterNames.InMemory, _ => new InMemoryFleetActuator());
        }

        if (selection.Metrics.Uses(AdapterNames.InMemory))
        {
            services.AddMetricsSourceAdapter(AdapterNames.InMemory, _ => new InMemoryMetricsSource());
        }

        services.AddOptions<AdapterRoutingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AdapterRoutingOptions>, AdapterRoutingCheck>());

        services.TryAddSingleton<IStackStateStore, InMemoryStackStateStore>();
        services.TryAddSingleton<IStackLock, InMemoryStackLock>();
        services.TryAddSingleton<IAuditLog, InMemoryAuditLog>();
        return services;
    }
}
