using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;

namespace AiLbAutoscaler.Adapters.AzureStorage.Common;

/// <summary>Reading and writing the properties of a table entity within the service's limits.</summary>
internal static class EntityProperties
{
    /// <summary>
    /// A string property holds at most 64 KiB (32 Ki UTF-16 characters); longer text is split over <c>Name</c>, <c>Name_1</c>, … .
    /// </summary>
    internal const int MaxCharsPerProperty = 30_000;

    /// <summary>An entity holds at most 1 MiB; this leaves room for the other properties and the names.</summary>
    private const int MaxChunks = 12;

    public static void SetLongString(TableEntity entity, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        var chunk = 0;
        for (var start = 0; start < value.Length || chunk == 0; chunk++)
        {
            if (chunk == MaxChunks)
            {
                throw new InvalidOperationException(
                    $"Property '{name}' of entity {entity.PartitionKey}/{entity.RowKey} is {value.Length} characters long; at most " +
                    $"{MaxChunks * MaxCharsPerProperty} fit in one table entity.");
            }

            var length = Math.Min(MaxCharsPerProperty, value.Length - start);

            // Never split a surrogate pair between two properties.
            if (length < value.Length - start && char.IsHighSurrogate(value[start + length - 1]))
            {
                length--;
            }

            entity[chunk == 0 ? name : ChunkName(name, chunk)] = value.Substring(start, length);
            start += length;
        }
    }

    public static string? GetLongString(TableEntity entity, string name)
    {
        var first = entity.GetString(name);
        if (first is null || !entity.ContainsKey(ChunkName(name, 1)))
        {
            return first;
        }

        var text = new System.Text.StringBuilder(first);
        for (var chunk = 1; entity.GetString(ChunkName(name, chunk)) is { } next; chunk++)
        {
            text.Append(next);
        }

        return text.ToString();
    }

    public static string RequiredString(TableEntity entity, string name, string table) =>
        entity.GetString(name) ?? throw Corrupt(entity, table, name, "is missing");

    public static TEnum RequiredEnum<TEnum>(TableEntity entity, string name, string table)
        where TEnum : struct, Enum
    {
        var text = RequiredString(entity, name, table);
        return Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw Corrupt(entity, table, name, $"has the unknown value '{text}' (expected one of {string.Join(", ", Enum.GetNames<TEnum>())})");
    }

    /// <summary>A JSON value kept in a long string property: null when the property is absent, an error naming it when corrupt.</summary>
    public static T? ReadJson<T>(TableEntity entity, string table, string name, JsonSerializerOptions? options = null)
        where T : class
    {
        var json = GetLongString(entity, name);
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(json, options) ?? throw Corrupt(entity, table, name, "is null");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw Corrupt(entity, table, name, $"is not valid JSON for {typeof(T).Name} ({ex.Message})");
        }
    }

    public static InvalidDataException Corrupt(TableEntity entity, string table, string property, string problem) =>
        new($"Entity {entity.PartitionKey}/{entity.RowKey} in table '{table}': property '{property}' {problem}.");

    /// <summary>Stack names are case-insensitive (as in the controller's options); keys use the lower-case form.</summary>
    public static string StackKey(string stack) =>
        AiLbAutoscaler.Core.Controller.StackNames.IsValid(stack)
            ? stack.ToLowerInvariant()
            : throw new ArgumentException(
                $"Stack name '{stack}' is not valid: use 1–100 ASCII letters, digits, '-', '_' or '.'.", nameof(stack));

    /// <summary>A fixed-width decimal of UTC ticks: sorts as text in time order.</summary>
    public static string SortableTime(DateTimeOffset at) => at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    private static string ChunkName(string name, int chunk) => $"{name}_{chunk.ToString(CultureInfo.InvariantCulture)}";
}
