namespace AiLbAutoscaler.Core.Controller;

/// <summary>Stack names become table keys, blob names and URL segments, so they are kept to a safe alphabet.</summary>
public static class StackNames
{
    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 100 &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
