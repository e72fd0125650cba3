using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using AiLbAutoscaler.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiLbAutoscaler.Adapters.Pulumi.Cli;

/// <summary>One run of the pulumi binary.</summary>
public sealed record PulumiInvocation(
    string Binary,
    string WorkDir,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string?> Environment,
    TimeSpan Timeout);

/// <summary>What a finished run printed. Output is raw; redact before showing it anywhere.</summary>
public sealed record PulumiCommandResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Duration);

/// <summary>
/// Runs the pulumi binary the way the Automation API does: an argv list (no shell), the working directory set,
/// stdin closed, stdout/stderr captured, the inherited environment overlaid with the caller's variables. A timeout or
/// a cancellation kills the whole process tree (the CLI and its language/provider plugins).
/// </summary>
public sealed class PulumiProcessRunner(TimeProvider time, ILogger<PulumiProcessRunner>? logger = null)
{
    private static readonly TimeSpan OutputDrainLimit = TimeSpan.FromSeconds(10);
    private readonly ILogger _logger = logger ?? NullLogger<PulumiProcessRunner>.Instance;

    public async Task<PulumiCommandResult> RunAsync(PulumiInvocation invocation, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(invocation.Binary)
        {
            WorkingDirectory = invocation.WorkDir,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in invocation.Arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in invocation.Environment)
        {
            if (value is null)
            {
                psi.Environment.Remove(name);
            }
            else
            {
                psi.Environment[name] = value;
            }
        }

        var verb = Describe(invocation.Arguments);

        // A child of the tick's actuate span. The subcommand words only: values and environment stay out of the tags.
        using var span = AutoscalerTelemetry.Source.StartActivity($"pulumi {verb}");
        span?.SetTag("process.executable.name", Path.GetFileName(invocation.Binary));
        span?.SetTag("ailb.pulumi.command", verb);
        using var process = new Process { StartInfo = psi };
        var started = time.GetTimestamp();
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            span?.SetStatus(ActivityStatusCode.Error, "not started");
            throw new PulumiCommandException(
                PulumiErrorKind.NotStarted,
                $"could not start the pulumi binary '{invocation.Binary}' in '{invocation.WorkDir}': {redactor.Redact(ex.Message)}");
        }

        process.StandardInput.Close();
        var stdoutTask = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderrTask = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var timeout = new CancellationTokenSource(invocation.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            try
            {
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(OutputDrainLimit, time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _logger.LogError("pulumi {Verb} did not exit {Limit} after being killed", verb, OutputDrainLimit);
            }

            var elapsed = time.GetElapsedTime(started);
            span?.SetStatus(ActivityStatusCode.Error, cancellationToken.IsCancellationRequested ? "cancelled" : "timed out");
            if (cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning("pulumi {Verb} cancelled after {Elapsed}; process tree killed", verb, elapsed);
                throw new OperationCanceledException($"pulumi {verb} was cancelled; its process tree was killed.", cancellationToken);
            }

            _logger.LogWarning("pulumi {Verb} timed out after {Timeout}; process tree killed", verb, invocation.Timeout);
            var partialErr = await DrainAsync(stderrTask).ConfigureAwait(false);
            throw new PulumiCommandException(
                PulumiErrorKind.Timeout,
                $"pulumi {verb} did not finish within {invocation.Timeout.TotalSeconds:0.#} s; its process tree was killed.",
                null,
                redactor.Redact(partialErr));
        }

        var stdout = await DrainAsync(stdoutTask).ConfigureAwait(false);
        var stderr = await DrainAsync(stderrTask).ConfigureAwait(false);
        var duration = time.GetElapsedTime(started);
        span?.SetTag("process.exit.code", process.ExitCode);
        if (process.ExitCode != 0)
        {
            span?.SetStatus(ActivityStatusCode.Error, "non-zero exit code");
        }

        _logger.LogDebug("pulumi {Verb} exited with {ExitCode} after {Duration}", verb, process.ExitCode, duration);
        return new PulumiCommandResult(process.ExitCode, stdout, stderr, duration);
    }

    /// <summary>The subcommand words, for logs (never values: the argv holds no secrets, but keep logs short).</summary>
    internal static string Describe(IReadOnlyList<string> args) =>
        string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')).Take(2));

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private async Task<string> DrainAsync(Task<string> read)
    {
        try
        {
            return await read.WaitAsync(OutputDrainLimit, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return "";
        }
    }
}
