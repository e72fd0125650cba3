using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace AiLbAutoscaler.Adapters.Pulumi.Common;

/// <summary>What both actuators (the pulumi CLI and Pulumi Deployments) need to know about a stack: its short name, its size output, its token.</summary>
internal static class PulumiStacks
{
    /// <summary>The stack's own name from a fully qualified <c>org/project/stack</c>.</summary>
    public static string LastSegment(string stackName) =>
        stackName[(stackName.LastIndexOf('/') + 1)..];

    /// <summary>The token for a Deployments stack, from configuration, then the process environment.</summary>
    public static string? ResolveToken(IConfiguration configuration, string setting) =>
        configuration[setting] is { Length: > 0 } fromConfig ? fromConfig : Environment.GetEnvironmentVariable(setting);

    /// <summary>The group size from the stack output that exports it.</summary>
    public static int ParseSize(string stack, string output, JsonElement? value)
    {
        int size;
        switch (value)
        {
            case null:
                throw new InvalidOperationException($"Stack '{stack}' has no output '{output}': deploy the program once (pulumi up) and export the group manager's targetSize as '{output}'.");
            case { ValueKind: JsonValueKind.Number } n when n.TryGetInt32(out size) && size >= 0:
                return size;
            case { ValueKind: JsonValueKind.String } s when int.TryParse(s.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out size):
                return size;
            default:
                throw new InvalidOperationException($"Stack '{stack}' output '{output}' is {value.Value.GetRawText()}, not a non-negative whole number.");
        }
    }
}
