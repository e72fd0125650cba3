using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;
using AiLbAutoscaler.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Core.Controller;

/// <summary>
/// The loop around the engine: read signals, decide, apply, remember. Host-agnostic; the Functions app, the CLI and the
/// simulator all drive it through the same ports. Holds no state of its own between calls.
/// </summary>
public sealed class AutoscaleController(
    IOptionsMonitor<AutoscalerOptions> options,
    DecisionEngine engine,
    IMetricsSource metrics,
    IFleetActuator actuator,
    IStackStateStore stateStore,
    IStackLock locks,
    IAuditLog audit,
    TimeProvider time,
    ILogger<AutoscaleController> logger,
    AutoscalerTelemetry? telemetry = null)
{
    private const int MaxStateWriteAttempts = 3;
    private readonly AutoscalerTelemetry _telemetry = telemetry ?? AutoscalerTelemetry.Shared;

    public IReadOnlyCollection<string> Stacks => options.CurrentValue.Stacks.Keys;

    public ScalingPolicy PolicyFor(string stack) =>
        options.CurrentValue.Stacks.TryGetValue(stack, out var s) ? s.Policy : throw new UnknownStackException(stack);

    /// <summary>
    /// Ticks every configured stack, up to <see cref="AutoscalerOptions.MaxParallelStacks"/> at once, so that one stack's
    /// long Pulumi update does not hold the others back; one stack's failure never stops the others. Results come in
    /// the order of <see cref="Stacks"/>.
    /// </summary>
    public async Task<IReadOnlyList<TickResult>> TickAllAsync(DecisionTrigger trigger, CancellationToken cancellationToken)
    {
        var stacks = Stacks.ToList();
        var results = new TickResult[stacks.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.CurrentValue.MaxParallelStacks, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, stacks.Count), parallel, async (i, ct) =>
        {
            try
            {
                results[i] = await TickAsync(stacks[i], trigger, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogError(ex, "Tick of stack {Stack} failed", stacks[i]);
                results[i] = new TickResult(stacks[i], TickOutcome.Failed, null, null, ex.Message);
            }
        });

        return results;
    }

    /// <summary>One scaling step for one stack: signals → decision → apply → state and audit.</summary>
    public Task<TickResult> TickAsync(string stack, DecisionTrigger trigger, CancellationToken cancellationToken) =>
        _telemetry.TraceAsync(AutoscalerTelemetry.Spans.Tick, stack, trigger, () => DecideAsync(stack, trigger, dryRun: false, cancellationToken));

    /// <summary>Decides now. With <paramref name="dryRun"/> nothing is applied or remembered, and no lease is taken.</summary>
    public Task<TickResult> EvaluateAsync(string stack, bool dryRun, DecisionTrigger trigger, CancellationToken cancellationToken) =>
        _telemetry.TraceAsync(AutoscalerTelemetry.Spans.Evaluate, stack, trigger, () => DecideAsync(stack, trigger, dryRun, cancellationToken));

    /// <summary>Sets a size by hand, pinned for <see cref="RescaleRequest.Hold"/>; afterwards autoscaling resumes from it.</summary>
    public Task<TickResult> RescaleAsync(string stack, RescaleRequest request, DecisionTrigger trigger, CancellationToken cancellationToken) =>
        _telemetry.TraceAsync(AutoscalerTelemetry.Spans.Rescale, stack, trigger, () => ManualRescaleAsync(stack, request, trigger, cancellationToken));

    private async Task<TickResult> ManualRescaleAsync(string stack, RescaleRequest request, DecisionTrigger trigger, CancellationToken cancellationToken)
    {
        var policy = PolicyFor(stack);
        ValidateRescale(policy, request);

        await using var lease = await locks.TryAcquireAsync(stack, cancellationToken);
        if (lease is null)
        {
            logger.LogInformation("Rescale of stack {Stack} refused: another update holds the lease", stack);
            return TickResult.Busy(stack);
        }

        var now = time.GetUtcNow();
        var loaded = await stateStore.LoadAsync(stack, cancellationToken);
        var current = await actuator.GetCurrentSizeAsync(stack, cancellationToken);

        // The engine honours an override while now < Until; a rescale without hold pins for this one decision only.
        var pin = new ManualOverride(request.TargetSize, request.Reason, now + (request.Hold > TimeSpan.Zero ? request.Hold : TimeSpan.FromTicks(1)));
        var input = new DecisionInput(stack, policy, new FleetState(current), [], loaded.State with { Override = pin });
        var outcome = AutoscalerTelemetry.InSpan(AutoscalerTelemetry.Spans.Decide, stack, () => engine.Decide(input));

        // Autoscaling resumes from the new size: older recommendations no longer speak for it.
        var next = outcome.NextState with
        {
            Recommendations = [],
            ConsecutiveMissingTicks = loaded.State.ConsecutiveMissingTicks,
            Override = request.Hold > TimeSpan.Zero ? pin : null,
        };

        var dryRun = policy.DryRun;
        var actuation = await AutoscalerTelemetry.InSpanAsync(AutoscalerTelemetry.Spans.Actuate, stack,
            () => ActAsync(stack, outcome.Decision, dryRun, $"manual rescale: {request.Reason}", lease, cancellationToken));
        next = Settle(next, outcome.Decision, actuation, now);
        await SaveAsync(stack, loaded, next, cancellationToken);
        await AuditAsync(new AuditRecord(stack, now, trigger, [], outcome.Decision, actuation, dryRun), cancellationToken);
        return new TickResult(stack, TickOutcome.Completed, outcome.Decision, actuation);
    }

    public async Task<StackStatus> StatusAsync(string stack, CancellationToken cancellationToken)
    {
        _ = PolicyFor(stack);
        var state = (await stateStore.LoadAsync(stack, cancellationToken)).State;
        int? size = null;
        string? sizeError = null;
        try
        {
            size = await actuator.GetCurrentSizeAsync(stack, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            sizeError = ex.Message;
        }

        var now = time.GetUtcNow();
        var recent = await RecentDecisionsAsync(stack, now, options.CurrentValue.StatusDecisionCount, cancellationToken);
        var activeOverride = state.Override is { } o && o.Until > now ? o : null;
        return new StackStatus(stack, size, sizeError, activeOverride, state.PendingDesiredSize, state.PendingReason,
            state.LastAppliedSize, state.LastAppliedAt, recent);
    }

    /// <summary>
    /// The newest <paramref name="count"/> records, newest first. The audit trail reads oldest first, so this looks back
    /// over widening windows (an hour, a day, the whole retention) and stops at the first that holds enough: a status
    /// call reads about an hour of a minute-by-minute trail, not all of it.
    /// </summary>
    private async Task<List<AuditRecord>> RecentDecisionsAsync(string stack, DateTimeOffset now, int count, CancellationToken cancellationToken)
    {
        var retention = TimeSpan.FromDays(options.CurrentValue.AuditRetentionDays);
        IReadOnlyList<AuditRecord> records = [];
        foreach (var window in new[] { TimeSpan.FromHours(1), TimeSpan.FromDays(1), retention })
        {
            var lookBack = window < retention ? window : retention;
            records = await audit.QueryAsync(stack, now - lookBack, now.AddTicks(1), int.MaxValue, cancellationToken);
            if (records.Count >= count || lookBack == retention)
            {
                break;
            }
        }

        return records.Skip(Math.Max(0, records.Count - count)).Reverse().ToList();
    }

    public Task<IReadOnlyList<AuditRecord>> HistoryAsync(string stack, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        _ = PolicyFor(stack);
        return audit.QueryAsync(stack, from, to, limit, cancellationToken);
    }

    /// <summary>Deletes audit records past the retention period.</summary>
    public Task<int> PruneAuditAsync(CancellationToken cancellationToken) =>
        audit.PruneAsync(time.GetUtcNow() - TimeSpan.FromDays(options.CurrentValue.AuditRetentionDays), cancellationToken);

    private async Task<TickResult> DecideAsync(string stack, DecisionTrigger trigger, bool dryRun, CancellationToken cancellationToken)
    {
        var policy = PolicyFor(stack);
        await using var lease = dryRun ? null : await locks.TryAcquireAsync(stack, cancellationToken);
        if (!dryRun && lease is null)
        {
            logger.LogInformation("Skipped stack {Stack}: another update holds the lease", stack);
            return TickResult.Busy(stack);
        }

        var now = time.GetUtcNow();
        var loaded = await stateStore.LoadAsync(stack, cancellationToken);
        var observation = await ObserveAsync(stack, cancellationToken);

        int current;
        try
        {
            current = await actuator.GetCurrentSizeAsync(stack, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not read the current size of stack {Stack}", stack);
            return new TickResult(stack, TickOutcome.Failed, null, null, $"Could not read the current size of stack '{stack}': {ex.Message}");
        }

        var outcome = AutoscalerTelemetry.InSpan(AutoscalerTelemetry.Spans.Decide, stack,
            () => engine.Decide(new DecisionInput(stack, policy, new FleetState(current, observation.InstanceAges), observation.Signals, loaded.State)));
        var decision = outcome.Decision;
        var asDryRun = dryRun || policy.DryRun;
        var actuation = await AutoscalerTelemetry.InSpanAsync(AutoscalerTelemetry.Spans.Actuate, stack,
            () => ActAsync(stack, decision, asDryRun, decision.Explanation, lease, cancellationToken));

        if (!dryRun)
        {
            var next = Settle(outcome.NextState, decision, actuation, now);
            await SaveAsync(stack, loaded, next, cancellationToken);
        }

        await AuditAsync(new AuditRecord(stack, now, trigger, observation.Signals, decision, actuation, asDryRun), cancellationToken);
        LogDecision(decision, actuation);
        return new TickResult(stack, TickOutcome.Completed, decision, actuation);
    }

    private async Task<Observation> ObserveAsync(string stack, CancellationToken cancellationToken)
    {
        using var span = AutoscalerTelemetry.StartSpan(AutoscalerTelemetry.Spans.ReadMetrics, stack);
        try
        {
            return await metrics.ObserveAsync(stack, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The port promises not to throw; if an adapter does anyway, the tick goes on with every signal missing.
            logger.LogWarning(ex, "Metrics source failed for stack {Stack}; treating every signal as missing", stack);
            return Observation.Empty;
        }
    }

    private async Task<ActuationResult> ActAsync(
        string stack, ScalingDecision decision, bool dryRun, string reason, IStackLease? lease, CancellationToken cancellationToken)
    {
        if (!decision.ChangesSize)
        {
            return ActuationResult.Skipped("the decision keeps the current size");
        }

        if (dryRun)
        {
            return new ActuationResult(ActuationOutcome.DryRun, $"dry run: would set {decision.DesiredSize}");
        }

        // An update must not outlive the lease: once another writer may hold the stack, this one stops.
        using var leaseBound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease?.Lost ?? CancellationToken.None);
        var started = time.GetTimestamp();
        try
        {
            return await actuator.ApplyAsync(stack, decision.DesiredSize, reason, leaseBound.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && lease is { Lost.IsCancellationRequested: true })
        {
            logger.LogError("Lost the lease of stack {Stack} while applying size {Size}; the update was stopped", stack, decision.DesiredSize);
            return new ActuationResult(ActuationOutcome.Failed, "the stack's lease was lost during the update; it was stopped", time.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Applying size {Size} to stack {Stack} failed", decision.DesiredSize, stack);
            return new ActuationResult(ActuationOutcome.Failed, ex.Message, time.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// Records an applied change, or keeps the unapplied size pending so no size is lost. A later decision that keeps the
    /// size was made on fresher signals: it supersedes whatever was pending.
    /// </summary>
    private static StackState Settle(StackState next, ScalingDecision decision, ActuationResult actuation, DateTimeOffset now) =>
        actuation.Outcome switch
        {
            ActuationOutcome.Applied or ActuationOutcome.NoChange => next.WithApplied(now, decision.CurrentSize, decision.DesiredSize),
            ActuationOutcome.Busy or ActuationOutcome.Failed => next.WithPending(decision.DesiredSize, actuation.Message ?? actuation.Outcome.ToString()),
            ActuationOutcome.Skipped => next with { PendingDesiredSize = null, PendingReason = null },
            _ => next,
        };

    /// <summary>
    /// Writes the new state. The lease makes a conflict unlikely; if one happens anyway, this decision's effects are merged
    /// into what the other writer saved, so neither update is lost.
    /// </summary>
    private async Task SaveAsync(
        string stack, VersionedStackState loaded, StackState next, CancellationToken cancellationToken)
    {
        using var span = AutoscalerTelemetry.StartSpan(AutoscalerTelemetry.Spans.Save, stack);
        var version = loaded.Version;
        var toWrite = next;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await stateStore.SaveAsync(stack, toWrite, version, cancellationToken);
                return;
            }
            catch (StateConflictException) when (attempt < MaxStateWriteAttempts)
            {
                logger.LogWarning("State of stack {Stack} changed underneath this tick; merging (attempt {Attempt})", stack, attempt);
                _telemetry.RecordMergedConflict(stack);
                var fresh = await stateStore.LoadAsync(stack, cancellationToken);
                version = fresh.Version;
                toWrite = StateMerge.Merge(fresh.State, next, loaded.State);
            }
        }
    }

    private async Task AuditAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await audit.AppendAsync(record, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The size change already happened; losing the tick over its audit row would be worse than a logged gap.
            logger.LogError(ex, "Could not write the audit record of stack {Stack} at {At}", record.Stack, record.At);
        }
    }

    private void LogDecision(ScalingDecision decision, ActuationResult actuation) =>
        logger.LogInformation("Stack {Stack}: {Explanation} [{Outcome}]", decision.Stack, decision.Explanation, actuation.Outcome);

    private void ValidateRescale(ScalingPolicy policy, RescaleRequest request)
    {
        if (request.TargetSize < policy.MinSize || request.TargetSize > policy.MaxSize)
        {
            throw new InvalidRequestException("targetSize",
                $"targetSize {request.TargetSize} is outside the stack's bounds [{policy.MinSize}, {policy.MaxSize}].");
        }

        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            throw new InvalidRequestException("reason", "reason is required: say why the size is being set by hand.");
        }

        if (request.Hold < TimeSpan.Zero || request.Hold > TimeSpan.FromMinutes(options.CurrentValue.MaxHoldMinutes))
        {
            throw new InvalidRequestException("holdMinutes",
                $"holdMinutes must be in [0, {options.CurrentValue.MaxHoldMinutes}] (was {request.Hold.TotalMinutes:0.##}).");
        }
    }
}
