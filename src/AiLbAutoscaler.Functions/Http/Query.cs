using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace AiLbAutoscaler.Functions.Http;

/// <summary>Reads query-string values, collecting an error per bad parameter instead of guessing.</summary>
public sealed class Query(IQueryCollection query)
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string[]> Errors => _errors;

    public bool HasErrors => _errors.Count > 0;

    public bool Bool(string name, bool fallback)
    {
        if (Single(name) is not { } text)
        {
            return fallback;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        Fail(name, $"{name} must be true or false (was '{Truncate(text)}').");
        return fallback;
    }

    public int Int(string name, int fallback, int min, int max)
    {
        if (Single(name) is not { } text)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Fail(name, $"{name} must be a whole number in [{min}, {max}] (was '{Truncate(text)}').");
        return fallback;
    }

    /// <summary>An ISO 8601 instant; one without an offset is taken as UTC.</summary>
    public DateTimeOffset? Instant(string name)
    {
        if (Single(name) is not { } text)
        {
            return null;
        }

        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        string[] formats =
        [
            "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd",
        ];
        if (DateTimeOffset.TryParseExact(text, formats, CultureInfo.InvariantCulture, styles, out var value))
        {
            return value;
        }

        // A '+' in a query string decodes to a space, so "…T10:00:00+02:00" arrives as "…T10:00:00 02:00".
        var hint = text.Contains(' ', StringComparison.Ordinal) ? " Write a '+' offset as %2B, or use Z." : "";
        Fail(name, $"{name} must be an ISO 8601 date-time such as 2026-11-26T10:00:00Z (was '{Truncate(text)}').{hint}");
        return null;
    }

    public void Fail(string name, string message) =>
        _errors[name] = _errors.TryGetValue(name, out var existing) ? [.. existing, message] : [message];

    private string? Single(string name)
    {
        if (!query.TryGetValue(name, out var values) || values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            Fail(name, $"{name} is given {values.Count} times; give it once.");
            return null;
        }

        return string.IsNullOrWhiteSpace(values[0]) ? null : values[0]!.Trim();
    }

    private static string Truncate(string text) => JsonText.Escape(text.Length <= 60 ? text : text[..57] + "...");
}
