using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using AiLbAutoscaler.Adapters.Pulumi.Cli;
using AiLbAutoscaler.Adapters.Pulumi.Configuration;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Adapters.Pulumi.Common;

namespace AiLbAutoscaler.Adapters.Pulumi.Actuation;

/// <summary>
/// Applies a size with the pulumi CLI: <c>config set targetSize -- N</c>, then <c>up</c> targeted at the group manager.
/// The current size is the deployed stack's <c>targetSize</c> output. A concurrent update is <see cref="ActuationOutcome.Busy"/>;
/// a failed update keeps the desired size in the stack config, so the next tick (or any later up) applies it.
/// </summary>
public sealed class PulumiCliFleetActuator(
    IOptions<PulumiActuatorOptions> options,
    PulumiProcessRunner runner,
    TimeProvider time,
    ILoggerFactory? loggers = null,
    SecretRedactor? redactor = null) : IFleetActuator
{
    private readonly ConcurrentDictionary<string, PulumiCli> _clis = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<PulumiCliFleetActuator>();

    public async Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken)
    {
        var (cli, settings) = For(stack);
        return await ReadSizeAsync(stack, cli, settings, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(desiredSize);
        var (cli, settings) = For(stack);
        var started = time.GetTimestamp();
        var value = desiredSize.ToString(CultureInfo.InvariantCulture);
        var upStarted = false;
        try
        {
            var current = await ReadSizeAsync(stack, cli, settings, cancellationToken).ConfigureAwait(false);
            if (current == desiredSize)
            {
                // Nothing to deploy. A failed earlier apply may have left another value in the config: put it back, so
                // the next up anyone runs does not resize behind the controller's back. config get merges the program's
                // defaults, so "not found" means the program does not declare the key at all: setting it would size
                // nothing, and an up would fail the same way.
                var configured = await cli.GetConfigAsync(settings.ConfigKey, cancellationToken).ConfigureAwait(false);
                if (configured is null)
                {
                    return new ActuationResult(ActuationOutcome.Failed,
                        $"config key '{settings.ConfigKey}' (Autoscaler:Stacks:{stack}:Pulumi:ConfigKey) is neither set in the stack nor declared in the program's Pulumi.yaml config",
                        time.GetElapsedTime(started));
                }

                if (configured != value)
                {
                    await cli.SetConfigAsync(settings.ConfigKey, value, cancellationToken).ConfigureAwait(false);
                    return new ActuationResult(ActuationOutcome.NoChange, $"already {desiredSize}; stack config {settings.ConfigKey} realigned from {configured}", time.GetElapsedTime(started));
                }

                return new ActuationResult(ActuationOutcome.NoChange, $"already {desiredSize}", time.GetElapsedTime(started));
            }

            await cli.SetConfigAsync(settings.ConfigKey, value, cancellationToken).ConfigureAwait(false);
            upStarted = true;
            var up = await cli.UpAsync(UpdateMessage(current, desiredSize, reason), Targets(settings), cancellationToken).ConfigureAwait(false);
            var summary = up.Events.Summary;
            var changes = summary?.ResourceChanges ?? await ChangesFromHistoryAsync(cli, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Stack {Stack}: targetSize {Current} → {Desired} applied in {Duration}", stack, current, desiredSize, time.GetElapsedTime(started));
            return new ActuationResult(ActuationOutcome.Applied, $"{current} → {desiredSize}", time.GetElapsedTime(started), changes);
        }
        catch (OperationCanceledException) when (upStarted && settings.CancelOnTimeout && cancellationToken.IsCancellationRequested)
        {
            // The caller gave up (host shutdown): the up's process tree is already killed; release the stack too.
            await TryCancelAsync(cli, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (PulumiCommandException ex)
        {
            var elapsed = time.GetElapsedTime(started);
            var changes = ex.Events?.Summary?.ResourceChanges;
            switch (ex.Kind)
            {
                case PulumiErrorKind.ConcurrentUpdate:
                    _logger.LogInformation("Stack {Stack} is busy with another update; will retry", stack);
                    return new ActuationResult(ActuationOutcome.Busy, "another update of the stack is in progress: " + ex.Message, elapsed, changes);
                case PulumiErrorKind.Timeout when upStarted && settings.CancelOnTimeout:
                    // Our killed up would otherwise hold the stack (a DIY lock file, or an update the service still
                    // counts as running), and every later tick would be Busy.
                    var cancelNote = await TryCancelAsync(cli, cancellationToken).ConfigureAwait(false);
                    return new ActuationResult(ActuationOutcome.Failed, $"{ex.Message} {cancelNote}; desired size {desiredSize} stays in the stack config", elapsed, changes);
                default:
                    _logger.LogWarning("Stack {Stack}: applying targetSize {Desired} failed: {Message}", stack, desiredSize, ex.Message);
                    return new ActuationResult(ActuationOutcome.Failed, $"{ex.Message}; desired size {desiredSize} stays in the stack config", elapsed, changes);
            }
        }
    }

    /// <summary>
    /// The group manager, plus the root stack resource so the stack outputs (where the current size is read) are
    /// re-registered by the targeted update as well.
    /// </summary>
    internal static IReadOnlyList<string> Targets(PulumiStackOptions p)
    {
        var targets = new List<string> { GroupManagerUrn(p) };
        if (!string.IsNullOrWhiteSpace(p.Project))
        {
            var stack = PulumiStacks.LastSegment(p.StackName!);
            targets.Add($"urn:pulumi:{stack}::{p.Project}::pulumi:pulumi:Stack::{p.Project}-{stack}");
        }

        return targets;
    }

    internal static string GroupManagerUrn(PulumiStackOptions p) =>
        !string.IsNullOrWhiteSpace(p.GroupManagerUrn)
            ? p.GroupManagerUrn
            : $"urn:pulumi:{PulumiStacks.LastSegment(p.StackName!)}::{p.Project}::{p.GroupManagerType}::{p.GroupManagerResource}";

    internal static string UpdateMessage(int current, int desired, string reason)
    {
        var clean = new string(reason.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        if (clean.Length > 200)
        {
            clean = clean[..200] + "…";
        }

        return $"AiLbAutoscaler: targetSize {current} -> {desired}" + (clean.Length > 0 ? $" ({clean})" : "");
    }

    private static async Task<int> ReadSizeAsync(string stack, PulumiCli cli, PulumiStackOptions settings, CancellationToken cancellationToken)
    {
        var outputs = await cli.GetOutputsAsync(cancellationToken).ConfigureAwait(false);
        return PulumiStacks.ParseSize(stack, settings.SizeOutput, outputs.TryGetValue(settings.SizeOutput, out var v) ? v : null);
    }

    private static async Task<IReadOnlyDictionary<string, int>?> ChangesFromHistoryAsync(PulumiCli cli, CancellationToken cancellationToken)
    {
        try
        {
            var history = await cli.GetHistoryAsync(1, cancellationToken).ConfigureAwait(false);
            return history.Count > 0 ? history[0].ResourceChanges : null;
        }
        catch (PulumiCommandException)
        {
            return null;
        }
    }

    private async Task<string> TryCancelAsync(PulumiCli cli, CancellationToken cancellationToken)
    {
        try
        {
            await cli.CancelAsync(cancellationToken).ConfigureAwait(false);
            return "pulumi cancel released the stack.";
        }
        catch (PulumiCommandException ex)
        {
            _logger.LogWarning("pulumi cancel after a timeout failed: {Message}", ex.Message);
            return "pulumi cancel failed too (" + ex.Message + ").";
        }
    }

    private (PulumiCli Cli, PulumiStackOptions Settings) For(string stack)
    {
        if (!options.Value.Stacks.TryGetValue(stack, out var section) || section.Pulumi is not { Backend: PulumiBackend.Cli } p)
        {
            throw new InvalidOperationException($"Stack '{stack}' has no Autoscaler:Stacks:{stack}:Pulumi section with Backend=Cli.");
        }

        var cli = _clis.GetOrAdd(stack, _ => new PulumiCli(
            new PulumiCliSettings(
                p.Binary,
                Path.GetFullPath(p.WorkDir!),
                p.StackName!,
                TimeSpan.FromSeconds(p.CommandTimeoutSeconds),
                TimeSpan.FromSeconds(p.UpdateTimeoutSeconds),
                p.Environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal)),
            runner,
            (loggers ?? NullLoggerFactory.Instance).CreateLogger<PulumiCli>(),
            redactor));
        return (cli, p);
    }
}
