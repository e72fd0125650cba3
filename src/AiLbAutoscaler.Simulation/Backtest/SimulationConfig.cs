using System.Text.Json;
using System.Text.Json.Serialization;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Policies.Ailb;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>
/// The config file both commands read with <c>--config</c>. Every key is optional; flags override it. Unknown keys are
/// errors, so a misspelt setting is never silently ignored. An example is in docs/simulation.md.
/// </summary>
public sealed class SimulationConfig
{
    public string? Trace { get; set; }

    public string? Scenario { get; set; }

    public double? RateScale { get; set; }

    public ulong? Seed { get; set; }

    /// <summary>Backtest: comma-separated policy names.</summary>
    public string? Policies { get; set; }

    /// <summary>Simulate: the one policy to run (default ailb).</summary>
    public string? Policy { get; set; }

    public SimulationOptions Simulation { get; set; } = new();

    public AilbSection Ailb { get; set; } = new();

    public HpaOptions Hpa { get; set; } = new();

    public GceOptions Gce { get; set; } = new();

    public HpaQueueOptions HpaQueue { get; set; } = new();

    public GceLbOptions GceLb { get; set; } = new();

    public static SimulationConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Config file '{path}' does not exist.", path);
        }

        var options = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            Converters = { new JsonStringEnumConverter() },
        };
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<SimulationConfig>(stream, options) ?? new SimulationConfig();
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is long line ? $"{path}:{line + 1}" : path;
            throw new ArgumentException($"{where}: {Describe(ex)}", ex);
        }
    }

    /// <summary>The serializer's message in the config's own terms: the key and what it takes, never a .NET type.</summary>
    private static string Describe(JsonException ex)
    {
        var key = (ex.Path ?? "").TrimStart('$', '.');
        var unmapped = System.Text.RegularExpressions.Regex.Match(ex.Message, "The JSON property '(?<name>[^']+)' could not be mapped");
        if (unmapped.Success)
        {
            var name = unmapped.Groups["name"].Value;
            var parent = key.EndsWith(name, StringComparison.Ordinal) ? key[..^name.Length].TrimEnd('.') : key;
            return $"unknown key '{name}'{(parent.Length > 0 ? $" in {parent}" : " at the top level")}.";
        }

        var converted = System.Text.RegularExpressions.Regex.Match(ex.Message, @"could not be converted to (?<type>[^.]+(\.[^.\s]+)*)\.");
        if (converted.Success && key.Length > 0)
        {
            var type = converted.Groups["type"].Value;
            var wanted = type switch
            {
                _ when type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) => "a number",
                _ when type.Contains("Int", StringComparison.Ordinal) => "a whole number",
                _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
                _ when type.Contains("String", StringComparison.Ordinal) => "a string",
                _ => EnumValues(type) ?? "an object of the documented keys (docs/simulation.md)",
            };
            return $"the value of {key} must be {wanted}.";
        }

        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return $"invalid config{(key.Length > 0 ? $" at {key}" : "")}: {(cut > 0 ? message[..cut] : message)}";
    }

    private static string? EnumValues(string typeName)
    {
        var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName.Replace("System.Nullable`1[", "").TrimEnd(']'))).FirstOrDefault(t => t is not null);
        return type is { IsEnum: true } ? "one of " + string.Join(", ", Enum.GetNames(type)) : null;
    }
}

public sealed class AilbSection
{
    /// <summary>The Core ScalingPolicy; null uses <see cref="AilbDefaults.Create"/>.</summary>
    public ScalingPolicy? Policy { get; set; }
}
