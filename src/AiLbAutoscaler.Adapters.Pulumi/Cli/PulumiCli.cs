using System.Globalization;
using System.Text.Json;
using AiLbAutoscaler.Core.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiLbAutoscaler.Adapters.Pulumi.Cli;

/// <summary>Where and how to run pulumi for one stack.</summary>
public sealed record PulumiCliSettings(
    string Binary,
    string WorkDir,
    string StackName,
    TimeSpan CommandTimeout,
    TimeSpan UpTimeout,
    IReadOnlyDictionary<string, string?> Environment);

/// <summary>An <c>up</c> that finished: its output and its parsed event log.</summary>
public sealed record PulumiUpResult(PulumiCommandResult Command, EngineEventReport Events);

/// <summary>One element of <c>stack history --json</c> (reference §4.2).</summary>
public sealed record StackUpdateInfo(
    int Version,
    string Kind,
    string Result,
    string? Message,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime,
    IReadOnlyDictionary<string, int> ResourceChanges);

/// <summary>
/// The pulumi CLI operations the actuator needs, with argument lists as the .NET Automation API builds them
/// (reference §1.3): stack-scoped commands end with <c>--stack &lt;name&gt;</c>, then <c>--non-interactive</c> and
/// <c>--event-log</c> go before the first <c>--</c> (or at the end). Non-zero exits become
/// <see cref="PulumiCommandException"/> with a classified <see cref="PulumiErrorKind"/> and redacted text.
/// </summary>
public sealed class PulumiCli(PulumiCliSettings settings, PulumiProcessRunner runner, ILogger<PulumiCli>? logger = null, SecretRedactor? hostRedactor = null)
{
    public const string ExecKind = "auto.local";
    private readonly ILogger _logger = logger ?? NullLogger<PulumiCli>.Instance;

    public PulumiCliSettings Settings => settings;

    public Task SelectStackAsync(CancellationToken cancellationToken) =>
        RunAsync(["stack", "select", "--stack", settings.StackName], cancellationToken);

    public Task CreateStackAsync(CancellationToken cancellationToken) =>
        RunAsync(["stack", "init", settings.StackName], cancellationToken);

    /// <summary>Select the stack; if it does not exist, create it (as LocalWorkspace.CreateOrSelectStack does).</summary>
    public async Task SelectOrCreateStackAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SelectStackAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PulumiCommandException ex) when (ex.Kind == PulumiErrorKind.StackNotFound)
        {
            await CreateStackAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>config set &lt;key&gt; --plaintext --stack s --non-interactive -- &lt;value&gt;</c>: the value after <c>--</c>.</summary>
    public Task SetConfigAsync(string key, string value, CancellationToken cancellationToken) =>
        RunAsync(["config", "set", key, "--plaintext", "--stack", settings.StackName, "--non-interactive", "--", value], cancellationToken);

    /// <summary>
    /// <c>config get &lt;key&gt; --json</c>: the effective value, i.e. the stack's setting or else the default that the
    /// project's Pulumi.yaml <c>config</c> declares (the CLI merges project defaults, reference §4.3). So a key the program
    /// declares with a default is never "not found"; null means neither the stack nor the project has the key.
    /// </summary>
    public async Task<string?> GetConfigAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var result = await RunAsync(["config", "get", key, "--json", "--stack", settings.StackName], cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(result.StandardOutput);
            return doc.RootElement.TryGetProperty("value", out var v) ? v.GetString() : null;
        }
        catch (PulumiCommandException ex) when (ex.StandardError.Contains("configuration key", StringComparison.Ordinal) && ex.StandardError.Contains("not found", StringComparison.Ordinal))
        {
            return null;
        }
    }

    /// <summary>
    /// <c>up --yes --skip-preview --message M --target U… --color never --exec-kind auto.local --stack s
    /// --non-interactive --event-log F</c>, with <c>PULUMI_DEBUG_COMMANDS=true</c> (the flag exists only then).
    /// </summary>
    public Task<PulumiUpResult> UpAsync(string message, IReadOnlyList<string> targets, CancellationToken cancellationToken) =>
        RunWithEventLogAsync("up", ["up", "--yes", "--skip-preview", .. UpdateOptions(message, targets)], requireSummary: false, cancellationToken);

    /// <summary>
    /// <c>preview --message M --target U… --color never --exec-kind auto.local --stack s --non-interactive --event-log F</c>.
    /// Like the Automation API, a preview without a summary event is an error.
    /// </summary>
    public Task<PulumiUpResult> PreviewAsync(string message, IReadOnlyList<string> targets, CancellationToken cancellationToken) =>
        RunWithEventLogAsync("preview", ["preview", .. UpdateOptions(message, targets)], requireSummary: true, cancellationToken);

    private List<string> UpdateOptions(string message, IReadOnlyList<string> targets)
    {
        var args = new List<string> { "--message", message };
        foreach (var t in targets)
        {
            args.Add("--target");
            args.Add(t);
        }

        args.AddRange(["--color", "never", "--exec-kind", ExecKind, "--stack", settings.StackName]);
        return args;
    }

    private async Task<PulumiUpResult> RunWithEventLogAsync(string verb, List<string> args, bool requireSummary, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"automation-logs-{verb}-{Path.GetRandomFileName()}");
        Directory.CreateDirectory(dir);
        var eventLog = Path.Combine(dir, "eventlog.txt");
        try
        {
            PulumiCommandResult result;
            try
            {
                result = await RunAsync(args, cancellationToken, eventLog, settings.UpTimeout).ConfigureAwait(false);
            }
            catch (PulumiCommandException ex) when (ex.Events is null && ex.Kind != PulumiErrorKind.NotStarted)
            {
                var events = await EngineEventLog.ReadFileAsync(eventLog, CancellationToken.None).ConfigureAwait(false);
                throw new PulumiCommandException(ex.Kind, WithEvents(ex.Message, events), ex.ExitCode, ex.StandardError, events);
            }

            var report = await EngineEventLog.ReadFileAsync(eventLog, cancellationToken).ConfigureAwait(false);
            if (requireSummary && report.Summary is null)
            {
                throw new PulumiCommandException(PulumiErrorKind.Failed, $"No summary of changes for '{verb}'", result.ExitCode, "", report);
            }

            return new PulumiUpResult(result, report);
        }
        finally
        {
            TryDelete(dir);
        }
    }

    /// <summary><c>stack output --json</c>: output name → JSON value (secrets print as <c>"[secret]"</c>).</summary>
    public async Task<IReadOnlyDictionary<string, JsonElement>> GetOutputsAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["stack", "output", "--json", "--stack", settings.StackName], cancellationToken).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(result.StandardOutput) ? "{}" : result.StandardOutput);
            return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new PulumiCommandException(PulumiErrorKind.Failed, $"pulumi stack output --json printed something that is not a JSON object: {ex.Message}");
        }
    }

    /// <summary><c>stack history --json --page-size N --page 1</c>, newest first. Secrets are not shown.</summary>
    public async Task<IReadOnlyList<StackUpdateInfo>> GetHistoryAsync(int pageSize, CancellationToken cancellationToken)
    {
        var result = await RunAsync(
            ["stack", "history", "--json", "--page-size", pageSize.ToString(CultureInfo.InvariantCulture), "--page", "1", "--stack", settings.StackName],
            cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(result.StandardOutput))
        {
            return [];
        }

        using var doc = JsonDocument.Parse(result.StandardOutput);
        return doc.RootElement.EnumerateArray().Select(ReadUpdate).ToList();
    }

    /// <summary><c>cancel --yes</c>: ends the stack's running update, or removes a local backend's stale lock.</summary>
    public Task CancelAsync(CancellationToken cancellationToken) =>
        RunAsync(["cancel", "--yes", "--stack", settings.StackName], cancellationToken);

    /// <summary>Inserts <c>--non-interactive</c> (if absent) and <c>--event-log</c> before the first <c>--</c>, or at the end.</summary>
    internal static List<string> PostProcess(IReadOnlyList<string> args, string? eventLogPath)
    {
        var separator = args.ToList().IndexOf("--");
        var head = separator < 0 ? args.ToList() : args.Take(separator).ToList();
        var flags = new List<string>();
        if (!head.Contains("--non-interactive"))
        {
            flags.Add("--non-interactive");
        }

        if (eventLogPath is not null)
        {
            flags.AddRange(["--event-log", eventLogPath]);
        }

        var result = new List<string>(args);
        result.InsertRange(separator < 0 ? result.Count : separator, flags);
        return result;
    }

    private async Task<PulumiCommandResult> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken, string? eventLog = null, TimeSpan? timeout = null)
    {
        var env = new Dictionary<string, string?>(settings.Environment, StringComparer.Ordinal);
        if (eventLog is not null)
        {
            env["PULUMI_DEBUG_COMMANDS"] = "true";
        }

        var redactor = RedactorFor(env);
        var invocation = new PulumiInvocation(settings.Binary, settings.WorkDir, PostProcess(args, eventLog), env, timeout ?? settings.CommandTimeout);
        var result = await runner.RunAsync(invocation, redactor, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == 0)
        {
            return result;
        }

        var stderr = redactor.Redact(result.StandardError);
        var kind = PulumiErrorClassifier.Classify(result.StandardError);
        var verb = PulumiProcessRunner.Describe(args);
        _logger.LogWarning("pulumi {Verb} on stack {Stack} failed with exit code {ExitCode} ({Kind})", verb, settings.StackName, result.ExitCode, kind);
        throw new PulumiCommandException(kind, $"pulumi {verb} failed ({Describe(kind, result.ExitCode)}): {FirstErrorLine(stderr)}", result.ExitCode, stderr);
    }

    private static string Describe(PulumiErrorKind kind, int exitCode) =>
        exitCode > 128 ? $"killed by signal {exitCode - 128}, exit code {exitCode}" : kind == PulumiErrorKind.Failed ? $"exit code {exitCode}" : $"{kind}, exit code {exitCode}";

    private string WithEvents(string message, EngineEventReport events)
    {
        var detail = events.DescribeFailure();
        return detail is null ? message : $"{message} | {Redact(detail)}";
    }

    /// <summary>Masks the secrets of the host and of the child's environment (and their files) in text about this stack.</summary>
    public string Redact(string? text) => RedactorFor(settings.Environment).Redact(text);

    /// <summary>Built per call, so a rotated secret in the environment or a rewritten credential file is masked too.</summary>
    private SecretRedactor RedactorFor(IReadOnlyDictionary<string, string?> overlay) =>
        (hostRedactor ?? SecretRedactor.ShapesOnly).With(SecretSettings.From(PulumiEnvironment.For(overlay)));

    /// <summary>The first <c>error:</c> line of stderr, else its first non-empty line, kept short.</summary>
    internal static string FirstErrorLine(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = lines.FirstOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal)) ?? lines.FirstOrDefault() ?? "(no output on stderr)";
        return line.Length <= 400 ? line : line[..400] + "…";
    }

    private static StackUpdateInfo ReadUpdate(JsonElement e)
    {
        var changes = new Dictionary<string, int>(StringComparer.Ordinal);
        if (e.TryGetProperty("resourceChanges", out var rc) && rc.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in rc.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number))
            {
                changes[p.Name] = p.Value.GetInt32();
            }
        }

        return new StackUpdateInfo(
            e.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0,
            e.TryGetProperty("kind", out var k) ? k.GetString() ?? "" : "",
            e.TryGetProperty("result", out var r) ? r.GetString() ?? "" : "",
            e.TryGetProperty("message", out var m) ? m.GetString() : null,
            Time(e, "startTime"),
            Time(e, "endTime"),
            changes);
    }

    private static DateTimeOffset? Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var t) && t.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : null;

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
