using System.Collections;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace AiLbAutoscaler.Cli.Settings;

/// <summary>
/// Configuration for the commands that reach real systems (metrics, history): the environment, then an optional JSON settings file on top (an explicit file
/// wins). The file is either flat or nested (<c>{"Autoscaler": {"Stacks": {...}}}</c>), or a Functions
/// <c>local.settings.json</c>, whose <c>Values</c> are used. Keys may nest with ':' or '__', as in app settings.
/// </summary>
public static class CliSettings
{
    public static IConfiguration Build(string? settingsFile, IDictionary? environment = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment ?? Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && key.Length > 0)
            {
                values[Normalize(key)] = entry.Value as string;
            }
        }

        if (!string.IsNullOrWhiteSpace(settingsFile))
        {
            foreach (var (key, value) in ReadFile(settingsFile))
            {
                values[key] = value;
            }
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    private static Dictionary<string, string?> ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Settings file '{path}' does not exist.", path);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Settings file '{path}' is not valid JSON (line {ex.LineNumber + 1}): {ex.Message.Split(" Path:", 2)[0]}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"Settings file '{path}' must hold a JSON object at the top, not {root.ValueKind}.");
            }

            // local.settings.json keeps the app settings under "Values".
            if (root.TryGetProperty("Values", out var functionValues) && functionValues.ValueKind == JsonValueKind.Object)
            {
                root = functionValues;
            }

            var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            Flatten(root, "", values);
            return values;
        }
    }

    private static void Flatten(JsonElement element, string prefix, Dictionary<string, string?> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, Join(prefix, Normalize(property.Name)), values);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, Join(prefix, (index++).ToString(CultureInfo.InvariantCulture)), values);
                }

                break;
            case JsonValueKind.String:
                values[prefix] = element.GetString();
                break;
            case JsonValueKind.Null:
                values[prefix] = null;
                break;
            default:
                values[prefix] = element.GetRawText();
                break;
        }
    }

    private static string Join(string prefix, string key) => prefix.Length == 0 ? key : prefix + ":" + key;

    private static string Normalize(string key) => key.Replace("__", ":", StringComparison.Ordinal);
}
