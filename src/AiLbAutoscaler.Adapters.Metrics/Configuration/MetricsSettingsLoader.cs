using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace AiLbAutoscaler.Adapters.Metrics.Configuration;

/// <summary>
/// Builds the configuration a command-line tool reads the metrics settings from: environment variables, then (winning
/// over them) an optional JSON settings file. The file may be an app-settings file (nested objects, or flat keys) or an
/// Azure Functions <c>local.settings.json</c>, whose settings sit in a <c>Values</c> object. Keys may nest with ':' or '__'.
/// </summary>
public static class MetricsSettingsLoader
{
    public static IConfigurationRoot Load(string? settingsFile, IDictionary<string, string?>? environment = null)
    {
        var builder = new ConfigurationBuilder();
        if (environment is null)
        {
            builder.AddEnvironmentVariables();
        }
        else
        {
            builder.AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(Normalize(e.Key), e.Value)));
        }

        if (!string.IsNullOrWhiteSpace(settingsFile))
        {
            builder.AddInMemoryCollection(ReadFile(settingsFile));
        }

        return builder.Build();
    }

    /// <summary>The file's settings as configuration keys; a clear error when it cannot be read.</summary>
    public static IReadOnlyDictionary<string, string?> ReadFile(string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"settings file '{path}' cannot be read: {ex.Message}", ex);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"settings file '{path}' is not valid JSON (line {ex.LineNumber + 1}): {ex.Message}", ex);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException($"settings file '{path}' must hold a JSON object.");
            }

            var root = doc.RootElement.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object
                ? values
                : doc.RootElement;
            var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            Flatten(root, prefix: null, result);
            return result;
        }
    }

    private static void Flatten(JsonElement element, string? prefix, Dictionary<string, string?> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, Join(prefix, Normalize(property.Name)), into);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, Join(prefix, (i++).ToString(CultureInfo.InvariantCulture)), into);
                }

                break;
            case JsonValueKind.Null:
                into[prefix ?? ""] = null;
                break;
            case JsonValueKind.String:
                into[prefix ?? ""] = element.GetString();
                break;
            default:
                into[prefix ?? ""] = element.GetRawText();
                break;
        }
    }

    private static string Join(string? prefix, string key) => prefix is null ? key : prefix + ":" + key;

    private static string Normalize(string key) => key.Replace("__", ":", StringComparison.Ordinal);
}
