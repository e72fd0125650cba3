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
            var at = string.IsNullOrEmpty(ex.Path) ? "" : $" at {ex.Path}";
            throw new ArgumentException($"{where}: invalid config{at}: {FirstSentence(ex.Message)}", ex);
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}

public sealed class AilbSection
{
    /// <summary>The Core ScalingPolicy; null uses <see cref="AilbDefaults.Create"/>.</summary>
    public ScalingPolicy? Policy { get; set; }
}
