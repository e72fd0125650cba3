using Microsoft.Extensions.Configuration;

namespace AiLbAutoscaler.Core.Routing;

/// <summary>
/// Which adapter serves each stack, per port, from settings: <c>Autoscaler:Stacks:{stack}:Actuator</c> and
/// <c>Autoscaler:Stacks:{stack}:Metrics:Adapter</c>, defaulting to the global <c>Autoscaler:Actuator</c> and
/// <c>Autoscaler:Metrics:Source</c>, which default to <see cref="AdapterNames.InMemory"/>.
/// </summary>
public sealed class StackAdapterSelection
{
    public const string ActuatorSetting = "Autoscaler:Actuator";
    public const string MetricsSetting = "Autoscaler:Metrics:Source";

    private StackAdapterSelection(PortSelection actuators, PortSelection metrics)
    {
        Actuators = actuators;
        Metrics = metrics;
    }

    public PortSelection Actuators { get; }

    public PortSelection Metrics { get; }

    public static string StackActuatorSetting(string stack) => $"Autoscaler:Stacks:{stack}:Actuator";

    public static string StackMetricsSetting(string stack) => $"Autoscaler:Stacks:{stack}:Metrics:Adapter";

    public static StackAdapterSelection From(IConfiguration configuration)
    {
        var stacks = configuration.GetSection("Autoscaler:Stacks").GetChildren().Select(s => s.Key).ToList();
        return new(
            PortSelection.Read(configuration, AdapterNames.ActuatorPort, ActuatorSetting, stacks, StackActuatorSetting),
            PortSelection.Read(configuration, AdapterNames.MetricsPort, MetricsSetting, stacks, StackMetricsSetting));
    }
}

/// <summary>One port's choice: a default and, per stack, the adapter name and the setting it came from.</summary>
public sealed class PortSelection
{
    private readonly Dictionary<string, Choice> _stacks;

    private PortSelection(string port, Choice fallback, Dictionary<string, Choice> stacks)
    {
        Port = port;
        Default = fallback;
        _stacks = stacks;
    }

    public string Port { get; }

    /// <summary>The choice for stacks that do not say (the global setting, or InMemory).</summary>
    public Choice Default { get; }

    /// <summary>Every configured stack's choice.</summary>
    public IReadOnlyDictionary<string, Choice> Stacks => _stacks;

    public Choice For(string stack) => _stacks.TryGetValue(stack, out var choice) ? choice : Default;

    /// <summary>Whether any configured stack (or, with none configured, the default) is served by <paramref name="adapter"/>.</summary>
    public bool Uses(string adapter) =>
        _stacks.Count == 0 ? Default.Is(adapter) : _stacks.Values.Any(c => c.Is(adapter));

    /// <summary>Whether <paramref name="stack"/> is served by <paramref name="adapter"/>.</summary>
    public bool Serves(string stack, string adapter) => For(stack).Is(adapter);

    internal static PortSelection Read(IConfiguration configuration, string port, string globalSetting, IEnumerable<string> stacks, Func<string, string> stackSetting)
    {
        var fallback = Choice.From(configuration, globalSetting) ?? new Choice(AdapterNames.InMemory, globalSetting);
        var perStack = new Dictionary<string, Choice>(StringComparer.Ordinal);
        foreach (var stack in stacks)
        {
            perStack[stack] = Choice.From(configuration, stackSetting(stack)) ?? fallback;
        }

        return new(port, fallback, perStack);
    }

    /// <summary>An adapter name and the setting that chose it (for messages).</summary>
    public sealed record Choice(string Name, string Setting)
    {
        public bool Is(string adapter) => string.Equals(Name, adapter, StringComparison.OrdinalIgnoreCase);

        internal static Choice? From(IConfiguration configuration, string setting) =>
            string.IsNullOrWhiteSpace(configuration[setting]) ? null : new Choice(configuration[setting]!.Trim(), setting);
    }
}
