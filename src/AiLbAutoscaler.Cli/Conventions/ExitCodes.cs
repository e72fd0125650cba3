namespace AiLbAutoscaler.Cli.Conventions;

/// <summary>The one exit-code contract of every <c>ailb</c> command (README, docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command ran but found a problem it defines (missing signals, storage unreachable, a failed run).</summary>
    public const int Problem = 1;

    /// <summary>Bad input: a flag, a value, a file, a setting. Nothing was run or written.</summary>
    public const int BadInput = 2;
}

/// <summary>Bad input found by a command's own checks; <see cref="CommandRunner"/> turns it into one line on stderr and exit 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>A run that worked but found a problem; exit 1.</summary>
public sealed class ProblemException(string message) : Exception(message);
