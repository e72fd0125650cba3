using Microsoft.Extensions.Configuration;

using AiLbAutoscaler.Adapters.Metrics;
using AiLbAutoscaler.Adapters.Pulumi.Actuation;
using AiLbAutoscaler.Core.Routing;
using AiLbAutoscaler.Functions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

public static class AdapterRegistration
{
    /// <summary>
    /// Registers each real adapter some stack selects (<see cref="StackAdapterSelection"/>: the actuator and the metrics
    /// source per stack; <see cref="AdapterSelection"/>: storage and dispatch). AddAutoscalerCore adds the in-memory
    /// stand-ins where selected and fails startup on a stack that names an adapter registered nowhere.
    /// </summary>
    public static IServiceCollection AddAutoscalerAdapters(this IServiceCollection services, IConfiguration configuration)
    {
        var stacks = StackAdapterSelection.From(configuration);
        if (stacks.Metrics.Uses(MetricsSource.AdapterName))
        {
            services.AddMetricsAdapters(configuration); // Cloud Monitoring or PromQL, chosen per stack by Metrics:Source
        }

        if (stacks.Actuators.Uses(PulumiFleetActuator.AdapterName))
        {
            services.AddPulumiActuator(configuration); // the CLI or Deployments, chosen per stack by Pulumi:Backend
        }

        var adapters = AdapterSelection.From(configuration);

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
