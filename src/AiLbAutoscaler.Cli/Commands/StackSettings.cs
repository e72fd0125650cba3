using Microsoft.Extensions.Configuration;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>The stacks the settings configure (<c>Autoscaler:Stacks:&lt;name&gt;</c>): every command that takes --stack checks it here.</summary>
internal static class StackSettings
{
    public const string Path = "Autoscaler:Stacks";

    public static IReadOnlyList<string> Configured(IConfiguration configuration) =>
        [.. configuration.GetSection(Path).GetChildren().Select(c => c.Key).Order(StringComparer.OrdinalIgnoreCase)];

    public static string Unknown(string stack, IEnumerable<string> known)
    {
        var names = known.ToList();
        return $"--stack: '{stack}' is not configured under {Path} ({(names.Count > 0 ? "known: " + string.Join(", ", names) : "none is configured; pass --settings or set Autoscaler__Stacks__<name>__…")}).";
    }
}
