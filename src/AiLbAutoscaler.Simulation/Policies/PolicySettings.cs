using System.Text.Json;

namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>
/// Every policy's options, by config section (<c>Hpa</c>, <c>GceLb</c>, ...). Immutable: a sweep's setting is a copy, so
/// it never changes what another run reads. A section not set reads as the options' defaults.
/// </summary>
public sealed class PolicySettings
{
    private readonly Dictionary<string, object> _sections;

    public PolicySettings() => _sections = new(StringComparer.OrdinalIgnoreCase);

    private PolicySettings(Dictionary<string, object> sections) => _sections = sections;

    public static PolicySettings Empty { get; } = new();

    public IEnumerable<string> Sections => _sections.Keys;

    /// <summary>The section's options, or their defaults.</summary>
    public T Get<T>(string section) where T : class, new() => _sections.TryGetValue(section, out var value)
        ? value as T ?? throw new InvalidOperationException($"Options '{section}' are {value.GetType().Name}, not {typeof(T).Name}.")
        : new T();

    public PolicySettings With(string section, object options) =>
        new(new Dictionary<string, object>(_sections, StringComparer.OrdinalIgnoreCase) { [section] = options });

    /// <summary>A deep copy (through JSON) of a section's options with one change applied.</summary>
    public PolicySettings With<T>(string section, Action<T> change) where T : class, new()
    {
        var copy = JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(Get<T>(section)))!;
        change(copy);
        return With(section, copy);
    }

    /// <summary>Every problem of the sections set, each message naming its section and key.</summary>
    public IEnumerable<string> Validate() => _sections.Values.OfType<IPolicyOptions>().SelectMany(o => o.Validate());
}
