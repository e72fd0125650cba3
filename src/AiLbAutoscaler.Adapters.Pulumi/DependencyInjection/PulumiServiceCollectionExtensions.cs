using AiLbAutoscaler.Adapters.Pulumi.Actuation;
using AiLbAutoscaler.Adapters.Pulumi.Cli;
using AiLbAutoscaler.Adapters.Pulumi.Configuration;
using AiLbAutoscaler.Adapters.Pulumi.Deployments;
using AiLbAutoscaler.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class PulumiServiceCollectionExtensions
{
    /// <summary>
    /// Replaces the in-memory <see cref="IFleetActuator"/> with the Pulumi one. Each stack's settings come from
    /// <c>Autoscaler:Stacks:{stack}:Pulumi</c> and are validated at startup. Stacks with <c>Backend=Cli</c> run the pulumi
    /// CLI; stacks with <c>Backend=Deployments</c> call Pulumi Cloud over HTTP (standard resilience; POSTs are not retried).
    /// </summary>
    public static IServiceCollection AddPulumiActuator(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PulumiActuatorOptions>()
            .Bind(configuration.GetSection("Autoscaler"))
            .ValidateOnStart();
        var validator = new PulumiActuatorOptionsValidator(configuration);
        services.AddSingleton<IPostConfigureOptions<PulumiActuatorOptions>>(validator);
        services.AddSingleton<IValidateOptions<PulumiActuatorOptions>>(validator);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(configuration);
        services.AddSecretRedactor(configuration);
        services.TryAddSingleton<PulumiProcessRunner>();
        services.TryAddSingleton<PulumiCliFleetActuator>();
        services.TryAddSingleton<PulumiDeploymentsFleetActuator>();
        services.AddHttpClient(PulumiDeploymentsFleetActuator.HttpClientName)
            .AddStandardResilienceHandler(o =>
            {
                // Creating a deployment is not idempotent: a retried POST could start two updates.
                o.Retry.DisableForUnsafeHttpMethods();
                o.Retry.Delay = TimeSpan.FromMilliseconds(500);
            });
        services.Replace(ServiceDescriptor.Singleton<IFleetActuator, PulumiFleetActuator>());
        return services;
    }
}
