using AiLbAutoscaler.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Core.Routing;

/// <summary>The options type the routing check hangs on, so that it runs with the other startup validation.</summary>
public sealed class AdapterRoutingOptions
{
}

/// <summary>
/// At startup, fails when a stack's setting (or the default a stack falls back to) names an adapter that is not
/// registered, naming the setting; fails when the host registered its own unkeyed port, which would take every stack
/// past the router and its settings; warns once per port that some stack runs on an in-memory stand-in.
/// </summary>
public sealed class AdapterRoutingCheck(
    StackAdapterSelection selection, IEnumerable<AdapterRegistration> registrations, IServiceProvider services, ILogger<AdapterRoutingCheck> logger)
    : IValidateOptions<AdapterRoutingOptions>
{
    public ValidateOptionsResult Validate(string? name, AdapterRoutingOptions options)
    {
        var problems = new List<string>();
        Bypass<IFleetActuator, FleetActuatorRouter>(problems, "AddFleetActuatorAdapter", selection.Actuators);
        Bypass<IMetricsSource, MetricsSourceRouter>(problems, "AddMetricsSourceAdapter", selection.Metrics);
        foreach (var port in new[] { selection.Actuators, selection.Metrics })
        {
            var known = registrations.Where(r => r.Port == port.Port).Select(r => r.Name).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            List<PortSelection.Choice> used = port.Stacks.Count == 0 ? [port.Default] : [.. port.Stacks.Values.Distinct()];
            foreach (var choice in used.Where(c => !known.Contains(c.Name, StringComparer.OrdinalIgnoreCase)))
            {
                problems.Add($"{choice.Setting} is '{choice.Name}', but no {port.Port} adapter by that name is registered " +
                    $"(registered: {(known.Count == 0 ? "none" : string.Join(", ", known))}). App setting: {choice.Setting.Replace(":", "__", StringComparison.Ordinal)}.");
            }

            var standIns = port.Stacks.Where(s => s.Value.Is(AdapterNames.InMemory)).Select(s => s.Key).ToList();
            if (standIns.Count > 0)
            {
                logger.LogWarning("The {Port} is the in-memory stand-in for {Stacks} ({Setting} selects a real one): nothing outside this process is read or changed",
                    port.Port, string.Join(", ", standIns), port.Default.Setting);
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>An unkeyed IFleetActuator or IMetricsSource of the host's own replaces the router: no stack setting would count.</summary>
    private void Bypass<TPort, TRouter>(List<string> problems, string register, PortSelection port)
        where TPort : class
    {
        if (services.GetService<TPort>() is { } registered && registered is not TRouter)
        {
            problems.Add($"{typeof(TPort).Name} is registered as {registered.GetType().FullName}, which bypasses the per-stack router " +
                $"({port.Default.Setting} and Autoscaler:Stacks:<stack> settings would be ignored). Register it with services.{register}(name, ...) " +
                "and select it by that name instead.");
        }
    }
}
