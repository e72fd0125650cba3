using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class AutoscalerServiceCollectionExtensions
{
    /// <summary>
    /// The engine and the controller, with options bound from <c>Autoscaler</c> and validated at startup. Ports default to
    /// in-memory adapters; register a real adapter (AddCloudMonitoringMetrics, AddPulumiActuator, AddAzureStorageState, …)
    /// before or after this call to replace one.
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

        services.TryAddSingleton<IMetricsSource, InMemoryMetricsSource>();
        services.TryAddSingleton<IFleetActuator>(_ => new InMemoryFleetActuator());
        services.TryAddSingleton<IStackStateStore, InMemoryStackStateStore>();
        services.TryAddSingleton<IStackLock, InMemoryStackLock>();
        services.TryAddSingleton<IAuditLog, InMemoryAuditLog>();
        return services;
    }
}
