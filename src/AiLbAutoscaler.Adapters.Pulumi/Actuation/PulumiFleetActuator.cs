using AiLbAutoscaler.Adapters.Pulumi.Configuration;
using AiLbAutoscaler.Adapters.Pulumi.Deployments;
using AiLbAutoscaler.Core.Ports;
using Microsoft.Extensions.Options;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Adapters.Pulumi.Actuation;

/// <summary>The registered <see cref="IFleetActuator"/>: sends each stack to the backend its settings name.</summary>
public sealed class PulumiFleetActuator(
    IOptions<PulumiActuatorOptions> options,
    PulumiCliFleetActuator cli,
    PulumiDeploymentsFleetActuator deployments) : IFleetActuator
{
    /// <summary>The value of <c>Autoscaler:Stacks:{stack}:Actuator</c> that selects this adapter.</summary>
    public const string AdapterName = "Pulumi";

    public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) =>
        For(stack).GetCurrentSizeAsync(stack, cancellationToken);

    public Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken) =>
        For(stack).ApplyAsync(stack, desiredSize, reason, cancellationToken);

    private IFleetActuator For(string stack) =>
        options.Value.Stacks.TryGetValue(stack, out var section) && section.Pulumi is { } p
            ? p.Backend == PulumiBackend.Deployments ? deployments : cli
            : throw new InvalidOperationException($"Stack '{stack}' has no Autoscaler:Stacks:{stack}:Pulumi section.");
}
