using Microsoft.Extensions.Configuration;

using AiLbAutoscaler.Functions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

public static class AdapterRegistration
{
    /// <summary>
    /// Registers the real adapter for each port the settings select (<see cref="AdapterSelection"/>); the in-memory
    /// stand-ins of AddAutoscalerCore serve the rest. A value that names no adapter throws, naming the setting.
    /// </summary>
    public static IServiceCollection AddAutoscalerAdapters(this IServiceCollection services, IConfiguration configuration)
    {
        var adapters = AdapterSelection.From(configuration);
        if (adapters.Metrics == MetricsSourceKind.CloudMonitoring)
        {
            services.AddMetricsAdapters(configuration); // Cloud Monitoring or PromQL, chosen per stack
        }

        if (adapters.Actuator == ActuatorKind.Pulumi)
        {
            services.AddPulumiActuator(configuration);
        }

        if (adapters.Storage)
        {
            services.AddAzureStorageState(configuration); // Table state and audit, blob leases
        }

        if (adapters.Dispatch == DispatchMode.Queue)
        {
            services.AddAzureQueueTicks(configuration); // the tick queue the TickStack trigger drains
        }

        return services;
    }
}
