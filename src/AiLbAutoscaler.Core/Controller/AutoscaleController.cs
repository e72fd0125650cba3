using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Engine.Schedules;
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
/// simulator all drive it through the same ports. Keeps nothing between calls but audit records still to be written.
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
    private const int MaxUnwrittenAudit = 1000;
    private readonly AutoscalerTelemetry _telemetry = telemetry ?? AutoscalerTelemetry.Shared;

    // Audit records written while the trail was unreachable, oldest first; the one thing this controller keeps between calls.
    private readonly Queue<AuditRecord> _unwritten = new();

    public IReadOnlyCollection<string> Stacks => options.CurrentValue.Stacks.Keys;

    public ScalingPolicy PolicyFor(string stack) => options.CurrentValue.PolicyFor(stack);

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

    /// <summary>
    /// One queued tick: as <see cref="TickAsync(string, DecisionTrigger, CancellationToken)"/>, except that a tick whose
    /// <paramref name="tickId"/> this stack already completed does nothing and reports <see cref="TickOutcome.AlreadyDone"/>.
    /// </summary>
    public Task<TickResult> TickAsync(string stack, DecisionTrigger trigger, string tickId, CancellationToken cancellationToken) =>
        _telemetry.TraceAsync(AutoscalerTelemetry.Spans.Tick, stack, trigger, () => DecideAsync(stack, trigger, dryRun: false, cancellationToken, tickId));

    /// <summary>Decides now. With <paramref name="dryRun"/> nothing is applied or remembered, and no lease is taken.</summary>
    public Task<TickResult> EvaluateAsync(string stack, bool dryRun, DecisionTrigger trigger, CancellationToken cancellationToken) =>
        _telemetry.TraceAsync(AutoscalerTelemetry.Spans.Evaluate, stack, trigger, () => DecideAsync(stack, trigger, dryRun, cancellationToken));

    /// <summary>
    /// Sets a size by hand, pinned for <see cref="RescaleRequest.Hold"/>; afterwards autoscaling resumes from it. Without a
    /// hold it is one-shot: the engine decides with a pin no clock can expire, and no pin is saved.
    /// </summary>
    public Task<TickResult> RescaleAsync(string stack, RescaleRequest request, DecisionTrigger trigger, CancellationToken cancellationToken)
    {
        var policy = PolicyFor(stack);
        ValidateRescale(policy, request);
        var step = new Step(
            DryRun: false,
            Observe: false,
            Before: state => state with { Override = ManualOverride.OneShot(request.TargetSize, request.Reason) },

            // Autoscaling resumes from the new size: older recommendations no longer speak for it. The hold runs from the decision.
            After: (outcome, state) => outcome.NextState with
            {
                Recommendations = [],
                ConsecutiveMissingTicks = state.ConsecutiveMissingTicks,
                Override = request.Hold > TimeSpan.Zero ? new ManualOverride(request.TargetSize, request.Reason, outcome.Decision.At + request.Hold) : null,
            },
            Reason: _ => $"manual rescale: {request.Reason}",
            BusyLog: "Rescale of stack {Stack} refused: another update holds the lease",
            LogsDecision: false);
        return _telemetry.TraceAsync(AutoscalerTelemetry.Spans.Rescale, stack, trigger, () => RunAsync(stack, policy, trigger, step, cancellationToken));
    }

    /// <summary>The stack's tick interval: its own setting, else its metrics source's sample period; null or zero ticks on every timer.</summary>
    private TimeSpan? TickInterval(string stack)
    {
        var configured = options.CurrentValue.Stacks.TryGetValue(stack, out var s) ? s.TickSeconds : null;
        var interval = configured is double seconds ? TimeSpan.FromSeconds(seconds) : metrics.SamplePeriod(stack);
        return interval > TimeSpan.Zero ? interval : null;
    }

    /// <summary>A timer this close to the interval counts as due (timers fire a little early or late).</summary>
    private static TimeSpan Slack(TimeSpan interval) => TimeSpan.FromTicks(Math.Min(interval.Ticks / 4, TimeSpan.FromSeconds(5).Ticks));

    private Task<TickResult> DecideAsync(string stack, DecisionTrigger trigger, bool dryRun, CancellationToken cancellationToken, string? tickId = null)
    {
        var step = new Step(
            dryRun, Observe: true, Before: state => state, After: (outcome, _) => outcome.NextState, Reason: decision => decision.Explanation,
            BusyLog: "Skipped stack {Stack}: another update holds the lease", LogsDecision: true, TickId: tickId);
        return RunAsync(stack, PolicyFor(stack), trigger, step, cancellationToken);
    }

    /// <summary>What sets a manual rescale apart from a tick or an evaluation in the one sequence they all run.</summary>
    /// <param name="DryRun">An evaluation's dry run: no lease, nothing applied, nothing saved but the audit record.</param>
    /// <param name="Observe">Read the signals (a rescale decides on none).</param>
    /// <param name="Before">The state the engine decides on, from the reconciled state.</param>
    /// <param name="After">The state to save, from the outcome and the reconciled state.</param>
    /// <param name="TickId">A queued tick's id: a second delivery of the same tick does nothing.</param>
    private sealed record Step(
        bool DryRun,
        bool Observe,
        Func<StackState, StackState> Before,
        Func<DecisionOutcome, StackState, StackState> After,
        Func<ScalingDecision, string> Reason,
        string BusyLog,
        bool LogsDecision,
        string? TickId = null);

    /// <summary>lease → load → observe → size → reconcile → decide → act → settle → save → audit, for every entry point.</summary>
    private Task<TickResult> RunAsync(string stack, ScalingPolicy policy, DecisionTrigger trigger, Step step, CancellationToken cancellationToken) =>
        WithinDeadlineAsync(stack, cancellationToken, async tick =>
        {
            var dryRun = step.DryRun;
            await using var lease = dryRun ? null : await locks.TryAcquireAsync(stack, tick);
            if (!dryRun && lease is null)
            {
#pragma warning disable CA2254 // the template is one of two constants
                logger.LogInformation(step.BusyLog, stack);
#pragma warning restore CA2254
                return TickResult.Busy(stack);
            }

            if (!dryRun)
            {
                await FlushUnwrittenAuditAsync(tick);
            }

            var loaded = await stateStore.LoadAsync(stack, tick);
            if (step.TickId is { } tickId && loaded.State.LastTickId == tickId)
            {
                logger.LogInformation("Skipped stack {Stack}: tick {TickId} was already done", stack, tickId);
                return TickResult.AlreadyDone(stack, tickId);
            }

            var timer = trigger == DecisionTrigger.Timer && !dryRun;
            if (timer && TickInterval(stack) is { } interval && loaded.State.LastTimerTickAt is { } last &&
                time.GetUtcNow() - last < interval - Slack(interval))
            {
                logger.LogDebug("Skipped stack {Stack}: not due, it ticks every {Seconds} s", stack, interval.TotalSeconds);
                return TickResult.NotDue(stack, last, interval);
            }

            var observation = step.Observe ? await ObserveAsync(stack, tick) : null;
            var (current, sizeError) = await ReadSizeAsync(stack, tick);
            if (sizeError is not null)
            {
                return SizeUnreadable(stack, sizeError);
            }

            // A dry run reconciles in memory only: it decides as the next tick would, and writes nothing.
            var now = time.GetUtcNow();
            var state = dryRun ? Reconciled(stack, loaded.State, current, now).State : await ReconcileAsync(stack, loaded.State, current, now, tick);
            IReadOnlyList<SignalReading> signals = observation?.Signals ?? [];
            var outcome = AutoscalerTelemetry.InSpan(AutoscalerTelemetry.Spans.Decide, stack,
                () => engine.Decide(new DecisionInput(stack, policy, new FleetState(current, observation?.InstanceAges), signals, step.Before(state))));
            var decision = outcome.Decision;
            var asDryRun = dryRun || policy.DryRun;
            TickResult result;
            if (dryRun)
            {
                var actuation = await AutoscalerTelemetry.InSpanAsync(AutoscalerTelemetry.Spans.Actuate, stack,
                    () => ActAsync(stack, decision, asDryRun, step.Reason(decision), lease, tick));
                await AuditAsync(new AuditRecord(stack, decision.At, trigger, signals, decision, actuation, asDryRun), tick);
                result = new TickResult(stack, TickOutcome.Completed, decision, actuation);
            }
            else
            {
                // A queued tick's id is recorded with the intent, before the apply: a second delivery never applies again.
                var next = step.After(outcome, state);
                next = step.TickId is null ? next : next with { LastTickId = step.TickId };
                next = timer ? next with { LastTimerTickAt = now } : next;
                result = await ApplyAndRecordAsync(stack, loaded, next, decision, signals, trigger, asDryRun, step.Reason(decision), lease, tick, cancellationToken);
            }

            if (step.LogsDecision && result.Actuation is { } done)
            {
                LogDecision(decision, done);
            }

            return result;
        });

    /// <summary>
    /// Runs one call under the controller's own deadline (<see cref="AutoscalerOptions.TickTimeout"/>): past it, what is
    /// still running is cancelled, the lease is released on the way out, and the call ends as failed.
    /// </summary>
    private async Task<TickResult> WithinDeadlineAsync(string stack, CancellationToken cancellationToken, Func<CancellationToken, Task<TickResult>> run)
    {
        var limit = options.CurrentValue.TickTimeout;
        using var deadline = new CancellationTokenSource(limit, time);
        using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await run(tick.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            logger.LogError("Stack {Stack} passed the controller's deadline of {Seconds} s; stopped", stack, limit.TotalSeconds);
            return new TickResult(stack, TickOutcome.Failed, null, null,
                $"The call on stack '{stack}' passed its deadline of {limit.TotalSeconds:0} s (Autoscaler:TickTimeoutSeconds) and was stopped.");
        }
    }

    private async Task<(int Size, string? Error)> ReadSizeAsync(string stack, CancellationToken cancellationToken)
    {
        try
        {
            return (await actuator.GetCurrentSizeAsync(stack, cancellationToken), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not read the current size of stack {Stack}", stack);
            return (0, ex.Message);
        }
    }

    private static TickResult SizeUnreadable(string stack, string error) =>
        new(stack, TickOutcome.Failed, null, null, $"Could not read the current size of stack '{stack}': {error}");

    /// <summary>
    /// Applies a decision and records it, in that order of writes: the intent (with the hold and a fencing token) before
    /// the apply, the result after it. If the intent cannot be written, nothing is applied. If the result cannot be,
    /// the answer says so and the next tick reconciles from the intent.
    /// </summary>
    private async Task<TickResult> ApplyAndRecordAsync(
        string stack, VersionedStackState loaded, StackState next, ScalingDecision decision, IReadOnlyList<SignalReading> inputs,
        DecisionTrigger trigger, bool dryRun, string reason, IStackLease? lease, CancellationToken tick, CancellationToken caller)
    {
        var fence = lease?.Fence;
        var basis = loaded;
        if (decision.ChangesSize && !dryRun)
        {
            var intent = next with { Intent = new ApplyIntent(decision.CurrentSize, decision.DesiredSize, decision.At) };
            if (await SaveAsync(stack, loaded, intent, fence, tick) is not { } written)
            {
                return TickResult.Busy(stack) with { Decision = decision };
            }

            basis = written;
        }

        var actuation = await AutoscalerTelemetry.InSpanAsync(AutoscalerTelemetry.Spans.Actuate, stack, () => ActAsync(stack, decision, dryRun, reason, lease, tick));
        var settled = Settle(next, decision, actuation, decision.At);

        // The intent may have been merged into another writer's state; the result keeps what that writer added.
        if (basis != loaded && basis.State != next with { Intent = basis.State.Intent, Fence = basis.State.Fence })
        {
            settled = StateMerge.Merge(basis.State, settled, loaded.State);
        }

        var recorded = true;
        try
        {
            // Recorded even past the tick's deadline: a cancelled apply must still be kept pending.
            recorded = await SaveAsync(stack, basis, settled, fence, caller) is not null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && basis != loaded)
        {
            logger.LogError(ex, "Stack {Stack}: {Outcome} size {Size}, but its record could not be saved; the next tick reconciles",
                stack, actuation.Outcome, decision.DesiredSize);
            recorded = false;
        }

        var audited = await AuditAsync(new AuditRecord(stack, decision.At, trigger, inputs, decision, actuation, dryRun), caller);
        return recorded && audited
            ? new TickResult(stack, TickOutcome.Completed, decision, actuation)
            : new TickResult(stack, TickOutcome.Completed, decision, actuation, TickResult.NotRecordedNote, Recorded: false);
    }

    /// <summary>
    /// Brings the state in line with the fleet before a decision. An intent left by an apply whose result was not recorded
    /// is settled by the size found: the apply took effect (a scale event at the intent's time) or it did not. A size
    /// other than the last recorded one, with no intent, is a change made elsewhere: recorded as a scale event now. Either
    /// way the rate limits, the warm-up and the hold see the change; the audit trail gets a Reconcile row.
    /// </summary>
    private async Task<StackState> ReconcileAsync(string stack, StackState state, int current, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (reconciled, record) = Reconciled(stack, state, current, now);
        if (record is not null)
        {
            logger.LogWarning("Stack {Stack}: {Explanation}", stack, record.Decision.Explanation);
            await AuditAsync(record, cancellationToken);
        }

        return reconciled;
    }

    private static (StackState State, AuditRecord? Record) Reconciled(string stack, StackState state, int current, DateTimeOffset now)
    {
        int from;
        DateTimeOffset at;
        string why;
        if (state.Intent is { } intent)
        {
            if (current == intent.From)
            {
                return (state with { Intent = null }, null); // the apply never took effect; its size is still pending
            }

            (from, at) = (intent.From, current == intent.To ? intent.At : now);
            why = $"an apply of {intent.To} begun at {Stamp(intent.At)} left no record";
        }
        else if (state.LastAppliedSize is int last && last != current)
        {
            (from, at) = (last, now);
            why = "the fleet was resized outside this controller, or a record was lost";
        }
        else
        {
            return (state, null);
        }

        var reconciled = state with
        {
            ScaleEvents = [.. state.ScaleEvents, new ScaleEvent(at, from, current)],
            LastAppliedSize = current,
            LastAppliedAt = at,
            Intent = null,
            PendingDesiredSize = state.PendingDesiredSize == current ? null : state.PendingDesiredSize,
            PendingReason = state.PendingDesiredSize == current ? null : state.PendingReason,
        };
        var action = current > from ? ScalingAction.ScaleUp : ScalingAction.ScaleDown;
        var explanation = $"reconciled {from} → {current}: found the fleet at {current}, last recorded {from}; {why}";
        var decision = new ScalingDecision(stack, now, from, current, action, null, null, [], [], explanation);
        var record = new AuditRecord(stack, now, DecisionTrigger.Reconcile, [], decision,
            new ActuationResult(ActuationOutcome.Applied, $"recorded at {Stamp(now)}; applied at {Stamp(at)} or earlier"), false);
        return (reconciled, record);
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

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

        // Right before the apply, the lock service confirms the lease: a lease broken since it was taken applies nothing.
        if (lease is not null && !await lease.ConfirmAsync(cancellationToken))
        {
            logger.LogError("The lease of stack {Stack} was lost before applying size {Size}; nothing was applied", stack, decision.DesiredSize);
            return new ActuationResult(ActuationOutcome.Failed, "the stack's lease was lost before the update; nothing was applied");
        }

        // An update must not outlive the lease (once another writer may hold the stack, this one stops), nor its deadline.
        var limit = options.CurrentValue.ApplyTimeout;
        using var deadline = new CancellationTokenSource(limit, time);
        using var leaseBound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease?.Lost ?? CancellationToken.None, deadline.Token);
        var started = time.GetTimestamp();
        try
        {
            return await actuator.ApplyAsync(stack, decision.DesiredSize, reason, leaseBound.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            logger.LogError("Applying size {Size} to stack {Stack} passed its deadline of {Seconds} s; the update was cancelled",
                decision.DesiredSize, stack, limit.TotalSeconds);
            return new ActuationResult(ActuationOutcome.Failed,
                $"the update passed its deadline of {limit.TotalSeconds:0} s (Autoscaler:ApplyTimeoutSeconds) and was cancelled; the size is kept pending",
                time.GetElapsedTime(started));
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
            ActuationOutcome.Skipped => next with { PendingDesiredSize = null, PendingReason = null, Intent = null },
            _ => next with { Intent = null },
        };

    /// <summary>
    /// Writes the new state, stamped with the lease's fencing token, and returns its version. The lease makes a conflict
    /// unlikely; if one happens anyway, this decision's effects are merged into what the other writer saved, so neither
    /// update is lost, unless that writer held a later lease: then this one is fenced out, writes nothing and returns null.
    /// </summary>
    private async Task<VersionedStackState?> SaveAsync(
        string stack, VersionedStackState loaded, StackState next, long? fence, CancellationToken cancellationToken)
    {
        using var span = AutoscalerTelemetry.StartSpan(AutoscalerTelemetry.Spans.Save, stack);
        var version = loaded.Version;
        var stamped = fence is long f && f > 0 ? next with { Fence = f } : next;
        var toWrite = stamped;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new VersionedStackState(toWrite, await stateStore.SaveAsync(stack, toWrite, version, cancellationToken));
            }
            catch (StateConflictException) when (attempt < MaxStateWriteAttempts)
            {
                var fresh = await stateStore.LoadAsync(stack, cancellationToken);
                if (fence is long mine && fresh.State.Fence > mine)
                {
                    logger.LogError("State of stack {Stack} was written under a later lease ({Theirs} > {Mine}); this writer is fenced out",
                        stack, fresh.State.Fence, mine);
                    return null;
                }

                logger.LogWarning("State of stack {Stack} changed underneath this tick; merging (attempt {Attempt})", stack, attempt);
                _telemetry.RecordMergedConflict(stack);
                version = fresh.Version;
                toWrite = StateMerge.Merge(fresh.State, stamped, loaded.State);
            }
        }
    }

    /// <summary>
    /// Appends a record; false when the audit trail cannot be reached. The record is then kept in memory and written
    /// before this controller's next call (<see cref="FlushUnwrittenAuditAsync"/>), so the trail gets it once storage is back.
    /// </summary>
    private async Task<bool> AuditAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await audit.AppendAsync(record, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not write the audit record of stack {Stack} at {At}; it is kept and retried", record.Stack, record.At);
            lock (_unwritten)
            {
                if (_unwritten.Count < MaxUnwrittenAudit)
                {
                    _unwritten.Enqueue(record);
                }
            }

            return false;
        }
    }

    private async Task FlushUnwrittenAuditAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            AuditRecord? record;
            lock (_unwritten)
            {
                if (!_unwritten.TryPeek(out record))
                {
                    return;
                }
            }

            try
            {
                await audit.AppendAsync(record, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("The audit trail is still unreachable ({Reason}); {Count} record(s) kept", ex.GetBaseException().Message.Split('\n', 2)[0], _unwritten.Count);
                return;
            }

            lock (_unwritten)
            {
                _unwritten.TryDequeue(out _);
            }
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
