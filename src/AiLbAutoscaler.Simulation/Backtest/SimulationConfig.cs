using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using AiLbAutoscaler.Simulation.Policies;

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

    /// <summary>
    /// Each policy's options, from the top-level key its catalog entry names (<c>Ailb</c>, <c>Hpa</c>, <c>GceLb</c>, ...):
    /// a new policy's section needs no property here.
    /// </summary>
    public PolicySettings PolicySettings { get; set; } = PolicySettings.Empty;

    /// <param name="catalog">Whose sections the config may hold (default: the shipped policies).</param>
    public static SimulationConfig Load(string path, PolicyCatalog? catalog = null)
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
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { DefaultPolicyBinding.Modify } },
        };
        var bytes = File.ReadAllBytes(path);
        if (bytes.AsSpan().StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..]; // a UTF-8 byte order mark, as editors on Windows write
        }

        options.Converters.Add(new SimulationConfigConverter(catalog ?? PolicyCatalog.Default, bytes));
        try
        {
            return JsonSerializer.Deserialize<SimulationConfig>(bytes, options) ?? new SimulationConfig();
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

/// <summary>
/// Reads the config's fixed keys as properties and every other top-level key as the options section of the catalog
/// entry that names it. Errors keep the serializer's key path and line, so messages name the file, line and key.
/// </summary>
internal sealed class SimulationConfigConverter(PolicyCatalog catalog, byte[] json) : JsonConverter<SimulationConfig>
{
    private static readonly Dictionary<string, (Type Type, Action<SimulationConfig, object?> Set)> Fixed = new(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(SimulationConfig.Trace)] = (typeof(string), (c, v) => c.Trace = (string?)v),
        [nameof(SimulationConfig.Scenario)] = (typeof(string), (c, v) => c.Scenario = (string?)v),
        [nameof(SimulationConfig.RateScale)] = (typeof(double?), (c, v) => c.RateScale = (double?)v),
        [nameof(SimulationConfig.Seed)] = (typeof(ulong?), (c, v) => c.Seed = (ulong?)v),
        [nameof(SimulationConfig.Policies)] = (typeof(string), (c, v) => c.Policies = (string?)v),
        [nameof(SimulationConfig.Policy)] = (typeof(string), (c, v) => c.Policy = (string?)v),
        [nameof(SimulationConfig.Simulation)] = (typeof(SimulationOptions), (c, v) => c.Simulation = (SimulationOptions?)v ?? new()),
    };

    public override SimulationConfig Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The config must be a JSON object.");
        }

        // Without this converter for nested reads, sections would come back through Read.
        var inner = new JsonSerializerOptions(options);
        inner.Converters.Remove(this);
        var config = new SimulationConfig();
        var settings = PolicySettings.Empty;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            var section = catalog.BySection(key);
            if (!Fixed.TryGetValue(key, out var slot) && section is null)
            {
                throw new JsonException($"The JSON property '{key}' could not be mapped to any config key.");
            }

            reader.Read();
            var name = section?.OptionsSection ?? key;
            var line = json.AsSpan(0, (int)reader.TokenStartIndex).Count((byte)'\n'); // nested reads count lines from the value
            object? value;
            try
            {
                value = JsonSerializer.Deserialize(ref reader, section?.OptionsType ?? slot.Type, inner);
            }
            catch (JsonException ex) when (ex.Path is { } path)
            {
                // The nested read's path starts at the section: put the section's key in front of it.
                throw new JsonException(ex.Message, "$." + name + path.TrimStart('$'), line + ex.LineNumber, ex.BytePositionInLine, ex);
            }

            if (section is not null)
            {
                settings = value is null ? settings : settings.With(name, value);
            }
            else
            {
                slot.Set(config, value);
            }
        }

        config.PolicySettings = settings;
        return config;
    }

    public override void Write(Utf8JsonWriter writer, SimulationConfig value, JsonSerializerOptions options) =>
        throw new NotSupportedException("The config is read, never written.");
}
