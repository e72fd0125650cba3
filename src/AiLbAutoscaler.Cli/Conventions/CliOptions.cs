using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace AiLbAutoscaler.Cli.Conventions;

/// <summary>
/// Options whose parse errors name the flag and what it takes, never a .NET type; and the flags every command shares
/// (<c>-o/--output</c>, <c>-q/--quiet</c>).
/// </summary>
public static class CliOptions
{
    public const string Table = "table";
    public const string Json = "json";

    public static Option<double?> Number(string name, string description, double min = double.MinValue, double max = double.MaxValue, bool exclusiveMin = false) => new(name)
    {
        Description = description,
        CustomParser = r =>
        {
            var text = Token(r);
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            {
                r.AddError($"{name}: '{text}' is not a number.");
                return null;
            }

            if (exclusiveMin ? v <= min : v < min)
            {
                r.AddError($"{name} must be {(exclusiveMin ? "more than" : "at least")} {min.ToString(CultureInfo.InvariantCulture)} (was {text}).");
                return null;
            }

            if (v > max)
            {
                r.AddError($"{name} must be at most {max.ToString(CultureInfo.InvariantCulture)} (was {text}).");
                return null;
            }

            return v;
        },
    };

    public static Option<ulong?> Unsigned(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r =>
        {
            var text = Token(r);
            if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                return v;
            }

            r.AddError($"{name}: '{text}' is not a whole number of 0 or more.");
            return null;
        },
    };

    public static Option<int> Positive(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            var text = Token(r);
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0)
            {
                return v;
            }

            r.AddError($"{name}: '{text}' is not a whole number more than 0.");
            return defaultValue;
        },
    };

    /// <summary>One of a fixed list of words; the error lists them.</summary>
    public static Option<string> OneOf(string name, string[] aliases, string description, string defaultValue, params string[] values)
    {
        var option = Words(name, aliases, description, defaultValue, values);
        option.CompletionSources.Add(values); // shell completion (dotnet-suggest) offers them
        return option;
    }

    private static Option<string> Words(string name, string[] aliases, string description, string defaultValue, string[] values) => new(name, aliases)
    {
        Description = $"{description}: {string.Join("|", values)} (default {defaultValue})",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            var text = Token(r);
            var match = values.FirstOrDefault(v => string.Equals(v, text, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                r.AddError($"{name}: '{text}' is not one of {string.Join(", ", values)}.");
                return defaultValue;
            }

            return match;
        },
    };

    /// <summary><c>-o/--output table|json</c>: json writes the command's result document to stdout instead of the table.</summary>
    public static Option<string> Output() => OneOf("--output", ["-o"], "what stdout gets", Table, Table, Json);

    /// <summary><c>-q/--quiet</c>: no progress or notes on stderr; errors and warnings still go there.</summary>
    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "no progress or notes on stderr (errors and warnings still)" };

    private static string Token(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
}
