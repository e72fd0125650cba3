using System.Text.RegularExpressions;

namespace AiLbAutoscaler.Adapters.Pulumi.Cli;

/// <summary>Why a pulumi command failed, classified the way the Automation API classifies stderr.</summary>
public enum PulumiErrorKind
{
    /// <summary>Any other non-zero exit.</summary>
    Failed,

    /// <summary><c>no stack named '…' found</c>.</summary>
    StackNotFound,

    /// <summary><c>stack '…' already exists</c>.</summary>
    StackAlreadyExists,

    /// <summary><c>[409] Conflict: Another update is currently in progress.</c> or the local backend's lock message.</summary>
    ConcurrentUpdate,

    /// <summary>The command ran longer than its timeout; its process tree was killed.</summary>
    Timeout,

    /// <summary>The binary could not be started (wrong path, not executable).</summary>
    NotStarted,
}

/// <summary>A pulumi command that did not succeed. Its message and <see cref="StandardError"/> are already redacted.</summary>
public sealed class PulumiCommandException(
    PulumiErrorKind kind, string message, int? exitCode = null, string standardError = "", EngineEventReport? events = null)
    : Exception(message)
{
    public PulumiErrorKind Kind { get; } = kind;

    public int? ExitCode { get; } = exitCode;

    public string StandardError { get; } = standardError;

    /// <summary>The parsed event log of a failed <c>up</c>, when there was one.</summary>
    public EngineEventReport? Events { get; } = events;
}

/// <summary>
/// The .NET Automation API's checks, in its order, on stderr only: stack not found, already exists, then the two
/// concurrent-update texts (reference §2). Case-sensitive; <c>.</c> does not cross a newline.
/// </summary>
public static partial class PulumiErrorClassifier
{
    public const string CloudConflictText = "[409] Conflict: Another update is currently in progress.";
    public const string LocalLockText = "the stack is currently locked by";

    public static PulumiErrorKind Classify(string standardError)
    {
        if (StackNotFound().IsMatch(standardError))
        {
            return PulumiErrorKind.StackNotFound;
        }

        if (AlreadyExists().IsMatch(standardError))
        {
            return PulumiErrorKind.StackAlreadyExists;
        }

        return standardError.Contains(CloudConflictText, StringComparison.Ordinal) || standardError.Contains(LocalLockText, StringComparison.Ordinal)
            ? PulumiErrorKind.ConcurrentUpdate
            : PulumiErrorKind.Failed;
    }

    [GeneratedRegex("no stack named.*found")]
    private static partial Regex StackNotFound();

    [GeneratedRegex("stack.*already exists")]
    private static partial Regex AlreadyExists();
}
