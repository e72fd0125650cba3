using AiLbAutoscaler.Adapters.Pulumi.Actuation;
using AiLbAutoscaler.Adapters.Pulumi.Cli;
using AiLbAutoscaler.Adapters.Pulumi.Configuration;
using AiLbAutoscaler.Adapters.Pulumi.Deployments;
using AiLbAutoscaler.Core.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class PulumiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Pulumi actuator under <see cref="PulumiFleetActuator.AdapterName"/>, for the stacks whose
    /// <c>Autoscaler:Stacks:{stack}:Actuator</c> (or <c>Autoscaler:Actuator</c>) names it; without AddAutoscalerCore's
    /// selection it serves every stack. Each stack's settings come from
    /// <c>Autoscaler:Stacks:{stack}:Pulumi</c> and are validated at startup. Stacks with <c>Backend=Cli</c> run the pulumi
    /// CLI; stacks with <c>Backend=Deployments</c> call Pulumi Cloud over HTTP (standard resilience; POSTs are not retried).
    /// </summary>
    public static IServiceCollection AddPulumiActuator(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PulumiActuatorOptions>()
            .Bind(configuration.GetSection("Autoscaler"))
            .ValidateOnStart();
        services.TryAddSingleton(provider => new PulumiActuatorOptionsValidator(configuration, provider.GetService<StackAdapterSelection>()));
        services.AddSingleton<IPostConfigureOptions<PulumiActuatorOptions>>(provider => provider.GetRequiredService<PulumiActuatorOptionsValidator>());
        services.AddSingleton<IValidateOptions<PulumiActuatorOptions>>(provider => provider.GetRequiredService<PulumiActuatorOptionsValidator>());

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
        services.TryAddSingleton<PulumiFleetActuator>();
        services.AddFleetActuatorAdapter(PulumiFleetActuator.AdapterName, provider => provider.GetRequiredService<PulumiFleetActuator>());
        return services;
    }
}
