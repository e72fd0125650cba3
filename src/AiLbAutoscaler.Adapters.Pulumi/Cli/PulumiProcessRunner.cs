using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using AiLbAutoscaler.Core.Security;
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
/// stdin closed, stdout/stderr captured, an allow-list of the host's environment overlaid with the caller's variables. On a timeout or
/// a cancellation it stops the CLI as the Automation API does: SIGINT first, so that the CLI can cancel its update and
/// write its checkpoint; if it has not exited after <see cref="InterruptGrace"/>, the whole process tree (the CLI and
/// its language/provider plugins) is killed.
/// </summary>
public sealed class PulumiProcessRunner(TimeProvider time, ILogger<PulumiProcessRunner>? logger = null)
{
    /// <summary>How long the CLI gets between SIGINT and the kill, unless set otherwise.</summary>
    public static readonly TimeSpan DefaultInterruptGrace = TimeSpan.FromSeconds(30);
    private const int SigInt = 2;
    private static readonly TimeSpan OutputDrainLimit = TimeSpan.FromSeconds(10);
    private readonly ILogger _logger = logger ?? NullLogger<PulumiProcessRunner>.Instance;

    /// <summary>The time between SIGINT and killing the process tree.</summary>
    public TimeSpan InterruptGrace { get; init; } = DefaultInterruptGrace;

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

        SetEnvironment(psi, invocation.Environment);

        var verb = Describe(invocation.Arguments);
        using var process = new Process { StartInfo = psi };
        var started = time.GetTimestamp();
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
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
            await InterruptThenKillAsync(process, verb).ConfigureAwait(false);
            try
            {
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(OutputDrainLimit, time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _logger.LogError("pulumi {Verb} did not exit {Limit} after being killed", verb, OutputDrainLimit);
            }

            var elapsed = time.GetElapsedTime(started);
            if (cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning("pulumi {Verb} cancelled after {Elapsed}; interrupted, then stopped", verb, elapsed);
                throw new OperationCanceledException($"pulumi {verb} was cancelled; it was interrupted and stopped.", cancellationToken);
            }

            _logger.LogWarning("pulumi {Verb} timed out after {Timeout}; interrupted, then stopped", verb, invocation.Timeout);
            var partialErr = await DrainAsync(stderrTask).ConfigureAwait(false);
            throw new PulumiCommandException(
                PulumiErrorKind.Timeout,
                $"pulumi {verb} did not finish within {invocation.Timeout.TotalSeconds:0.#} s; it was interrupted (SIGINT) and stopped.",
                null,
                redactor.Redact(partialErr));
        }

        var stdout = await DrainAsync(stdoutTask).ConfigureAwait(false);
        var stderr = await DrainAsync(stderrTask).ConfigureAwait(false);
        var duration = time.GetElapsedTime(started);
        _logger.LogDebug("pulumi {Verb} exited with {ExitCode} after {Duration}", verb, process.ExitCode, duration);
        return new PulumiCommandResult(process.ExitCode, stdout, stderr, duration);
    }

    /// <summary>The child's environment: the allow-listed part of the host's (<see cref="PulumiEnvironment"/>), then the caller's variables.</summary>
    private static void SetEnvironment(ProcessStartInfo psi, IReadOnlyDictionary<string, string?> overlay) =>
        PulumiEnvironment.Apply(psi.Environment, overlay);

    /// <summary>The subcommand words, for logs (never values: the argv holds no secrets, but keep logs short).</summary>
    internal static string Describe(IReadOnlyList<string> args) =>
        string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')).Take(2));

    /// <summary>SIGINT, up to <see cref="InterruptGrace"/> to exit, then the tree is killed (also whatever the CLI left behind).</summary>
    private async Task InterruptThenKillAsync(Process process, string verb)
    {
        if (!OperatingSystem.IsWindows() && !process.HasExited && Kill(process.Id, SigInt) == 0)
        {
            try
            {
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(InterruptGrace, time, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (TimeoutException)
            {
                _logger.LogWarning("pulumi {Verb} did not exit within {Grace} of SIGINT; killing its process tree", verb, InterruptGrace);
            }
        }

        KillTree(process);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

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
