using System.Diagnostics;
using System.Diagnostics.Metrics;
using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Core.Telemetry;

/// <summary>
/// The controller's metrics and spans, in <c>System.Diagnostics</c> only: any OpenTelemetry SDK (or a plain
/// <see cref="MeterListener"/>) can collect them, and Core depends on no exporter. Names follow the OpenTelemetry
/// naming rules: the system name <c>ailb</c> first, dots between levels, units as UCUM annotations, no <c>_total</c>,
/// counters of countable things pluralized. Every tag is a stack name, a signal or rule name, or an enum value; no tag
/// ever carries a message, so no secret can reach one.
/// </summary>
public sealed class AutoscalerTelemetry : IDisposable
{
    /// <summary>The name of both the <see cref="Meter"/> and the <see cref="ActivitySource"/>.</summary>
    public const string Name = "AiLbAutoscaler";

    // Before Shared: static fields initialize in order. Pulumi updates take from seconds to tens of minutes; the default histogram buckets stop at 10 s.
    private static readonly double[] DurationBuckets = [0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800];

    /// <summary>The process-wide spans: one <c>ailb.tick</c> per stack and tick, children for each step.</summary>
    public static readonly ActivitySource Source = new(Name, typeof(AutoscalerTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>An instance on its own meter, for hosts without a container (the simulator, tests).</summary>
    public static AutoscalerTelemetry Shared { get; } = new();

    private readonly Gauge<int> _size;
    private readonly Gauge<int> _desired;
    private readonly Gauge<double> _signalValue;
    private readonly Gauge<double> _signalAge;
    private readonly Gauge<int> _signalRecommended;
    private readonly Counter<long> _missingTicks;
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _rules;
    private readonly Counter<long> _actuations;
    private readonly Histogram<double> _actuationDuration;
    private readonly Counter<long> _ticks;
    private readonly Counter<long> _leaseContentions;
    private readonly Counter<long> _mergedConflicts;
    private readonly bool _ownsMeter;

    public AutoscalerTelemetry(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(new MeterOptions(Name)) ?? new Meter(Name);
        _size = Meter.CreateGauge<int>(Instruments.Size, "{instance}", "The stack's target size as the actuator reads it before the decision.");
        _desired = Meter.CreateGauge<int>(Instruments.DesiredSize, "{instance}",
            "The size the decision asks for; tagged with the winning signal (none when no signal voted) and the action.");
        _signalValue = Meter.CreateGauge<double>(Instruments.SignalValue, null, "The latest value of each signal, in the signal's own unit.");
        _signalAge = Meter.CreateGauge<double>(Instruments.SignalAge, "s", "How old each signal's latest value was when the decision was made.");
        _signalRecommended = Meter.CreateGauge<int>(Instruments.SignalRecommendedSize, "{instance}", "The size each signal asked for on its own.");
        _missingTicks = Meter.CreateCounter<long>(Instruments.SignalMissingTicks, "{tick}", "Decisions in which a signal was missing or stale.");
        _decisions = Meter.CreateCounter<long>(Instruments.Decisions, "{decision}", "Decisions, by action and trigger.");
        _rules = Meter.CreateCounter<long>(Instruments.AppliedRules, "{rule}", "Rules that changed or held the size the signals asked for, by rule name.");
        _actuations = Meter.CreateCounter<long>(Instruments.Actuations, "{actuation}", "Actuation outcomes, including skipped and dry-run ones.");
        _actuationDuration = Meter.CreateHistogram<double>(Instruments.ActuationDuration, "s", "How long an attempted actuation (a Pulumi update) took.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _ticks = Meter.CreateCounter<long>(Instruments.Ticks, "{tick}", "Ticks, evaluations and rescales, by outcome.");
        _leaseContentions = Meter.CreateCounter<long>(Instruments.LeaseContentions, "{attempt}", "Attempts that found the stack's lease held by another writer.");
        _mergedConflicts = Meter.CreateCounter<long>(Instruments.MergedStateConflicts, "{conflict}",
            "State writes that found the state changed underneath and merged this decision into it.");
    }

    public Meter Meter { get; }

    /// <summary>Disposes the meter when this instance made it (a factory's meters go with the factory).</summary>
    public void Dispose()
    {
        if (_ownsMeter && !ReferenceEquals(this, Shared))
        {
            Meter.Dispose();
        }
    }

    /// <summary>Starts a step's span (a child of the current one). Null when nothing listens.</summary>
    public static Activity? StartSpan(string name, string stack, ActivityKind kind = ActivityKind.Internal)
    {
        var activity = Source.StartActivity(name, kind);
        activity?.SetTag(Tags.Stack, stack);
        return activity;
    }

    /// <summary>Runs <paramref name="body"/> in a step's span.</summary>
    public static T InSpan<T>(string name, string stack, Func<T> body)
    {
        using var span = StartSpan(name, stack);
        return body();
    }

    /// <summary>Runs an actuation in its span, tagged with its outcome.</summary>
    public static async Task<ActuationResult> InSpanAsync(string name, string stack, Func<Task<ActuationResult>> body)
    {
        using var span = StartSpan(name, stack);
        var result = await body().ConfigureAwait(false);
        span?.SetTag(Tags.ActuationOutcome, Value(result.Outcome));
        if (result.Outcome == ActuationOutcome.Failed)
        {
            span?.SetStatus(ActivityStatusCode.Error, "actuation failed");
        }

        return result;
    }

    /// <summary>
    /// Runs one tick, evaluation or rescale of one stack in its root span (<paramref name="name"/>), then records what it
    /// came to: the decision's metrics, the tick's outcome, and lease contention (a busy outcome means the lease was held).
    /// A request error (unknown stack, bad value) marks the span only: it is the caller's, and its stack name is not
    /// trusted as a metric tag.
    /// </summary>
    public async Task<TickResult> TraceAsync(string name, string stack, DecisionTrigger trigger, Func<Task<TickResult>> body)
    {
        using var span = StartSpan(name, stack);
        span?.SetTag(Tags.Trigger, Value(trigger));
        TickResult result;
        try
        {
            result = await body().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            span?.SetTag("error.type", ex.GetType().FullName);
            span?.SetStatus(ActivityStatusCode.Error, ex is OperationCanceledException ? "cancelled" : "failed");
            if (ex is not (UnknownStackException or InvalidRequestException or OperationCanceledException))
            {
                RecordTick(span, stack, TickOutcome.Failed);
            }

            throw;
        }

        if (result.Outcome == TickOutcome.Busy)
        {
            RecordLeaseContention(stack, name);
        }

        if (result is { Decision: { } decision, Actuation: { } actuation })
        {
            RecordDecision(span, trigger, decision, actuation);
        }

        RecordTick(span, stack, result.Outcome);
        return result;
    }

    /// <summary>Records what one decision came to, on the metrics and on <paramref name="span"/> (the tick's).</summary>
    public void RecordDecision(Activity? span, DecisionTrigger trigger, ScalingDecision decision, ActuationResult actuation)
    {
        var stack = new KeyValuePair<string, object?>(Tags.Stack, decision.Stack);
        var action = Value(decision.Action);
        var outcome = Value(actuation.Outcome);
        _size.Record(decision.CurrentSize, stack);
        _desired.Record(decision.DesiredSize, stack, new(Tags.Signal, decision.WinningSignal ?? "none"), new(Tags.Action, action));
        _decisions.Add(1, stack, new(Tags.Action, action), new(Tags.Trigger, Value(trigger)));
        foreach (var r in decision.Recommendations)
        {
            var signal = new KeyValuePair<string, object?>(Tags.Signal, r.Signal);
            if (r.Observed is double value && double.IsFinite(value))
            {
                _signalValue.Record(value, stack, signal);
            }

            if (r.Age is { } age)
            {
                _signalAge.Record(age.TotalSeconds, stack, signal);
            }

            if (r.RecommendedSize is int size)
            {
                _signalRecommended.Record(size, stack, signal);
            }

            if (r.Status is SignalStatus.Missing or SignalStatus.Stale)
            {
                _missingTicks.Add(1, stack, signal, new(Tags.SignalStatus, Value(r.Status)));
            }
        }

        foreach (var limit in decision.Limits)
        {
            _rules.Add(1, stack, new(Tags.Rule, limit.Rule));
        }

        _actuations.Add(1, stack, new(Tags.ActuationOutcome, outcome));
        if (actuation.Outcome is not (ActuationOutcome.Skipped or ActuationOutcome.DryRun))
        {
            _actuationDuration.Record(actuation.Duration.TotalSeconds, stack, new(Tags.ActuationOutcome, outcome));
        }

        if (span is not null)
        {
            span.SetTag(Tags.Action, action);
            span.SetTag(Tags.CurrentSize, decision.CurrentSize);
            span.SetTag(Tags.DesiredSize, decision.DesiredSize);
            span.SetTag(Tags.Signal, decision.WinningSignal);
            span.SetTag(Tags.ActuationOutcome, outcome);
            if (actuation.Outcome == ActuationOutcome.Failed)
            {
                span.SetStatus(ActivityStatusCode.Error, "actuation failed");
            }
        }
    }

    /// <summary>Counts a tick, evaluation or rescale by outcome, and tags its span.</summary>
    public void RecordTick(Activity? span, string stack, TickOutcome outcome)
    {
        var value = Value(outcome);
        _ticks.Add(1, new KeyValuePair<string, object?>(Tags.Stack, stack), new(Tags.TickOutcome, value));
        span?.SetTag(Tags.TickOutcome, value);
        if (outcome == TickOutcome.Failed)
        {
            span?.SetStatus(ActivityStatusCode.Error, "tick failed");
        }
    }

    /// <summary>The stack's lease was held by another writer (<paramref name="operation"/>: the span name of the attempt).</summary>
    public void RecordLeaseContention(string stack, string operation) =>
        _leaseContentions.Add(1, new KeyValuePair<string, object?>(Tags.Stack, stack), new(Tags.Operation, operation));

    /// <summary>A state write met a conflict and merged.</summary>
    public void RecordMergedConflict(string stack)
    {
        _mergedConflicts.Add(1, new KeyValuePair<string, object?>(Tags.Stack, stack));
        Activity.Current?.AddEvent(new ActivityEvent("ailb.state.conflict_merged"));
    }

    /// <summary>snake_case of an enum value, the way OpenTelemetry attribute values are written (ScaleUp → scale_up).</summary>
    public static string Value<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        var chars = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                chars.Append('_');
            }

            chars.Append(char.ToLowerInvariant(name[i]));
        }

        return chars.ToString();
    }

    /// <summary>The instrument names.</summary>
    public static class Instruments
    {
        public const string Size = "ailb.fleet.size";
        public const string DesiredSize = "ailb.fleet.desired_size";
        public const string SignalValue = "ailb.signal.value";
        public const string SignalAge = "ailb.signal.age";
        public const string SignalRecommendedSize = "ailb.signal.recommended_size";
        public const string SignalMissingTicks = "ailb.signal.missing_ticks";
        public const string Decisions = "ailb.decisions";
        public const string AppliedRules = "ailb.decision.applied_rules";
        public const string Actuations = "ailb.actuations";
        public const string ActuationDuration = "ailb.actuation.duration";
        public const string Ticks = "ailb.ticks";
        public const string LeaseContentions = "ailb.lease.contentions";
        public const string MergedStateConflicts = "ailb.state.merged_conflicts";
    }

    /// <summary>The span names: one root per stack and tick, a child per step.</summary>
    public static class Spans
    {
        public const string Tick = "ailb.tick";
        public const string Evaluate = "ailb.evaluate";
        public const string Rescale = "ailb.rescale";
        public const string ReadMetrics = "ailb.metrics.read";
        public const string Decide = "ailb.decide";
        public const string Actuate = "ailb.actuate";
        public const string Save = "ailb.state.save";
    }

    /// <summary>The attribute (tag) names.</summary>
    public static class Tags
    {
        public const string Stack = "ailb.stack";
        public const string Signal = "ailb.signal.name";
        public const string SignalStatus = "ailb.signal.status";
        public const string Action = "ailb.decision.action";
        public const string Trigger = "ailb.decision.trigger";
        public const string Rule = "ailb.rule.name";
        public const string ActuationOutcome = "ailb.actuation.outcome";
        public const string TickOutcome = "ailb.tick.outcome";
        public const string Operation = "ailb.operation";
        public const string CurrentSize = "ailb.fleet.size";
        public const string DesiredSize = "ailb.fleet.desired_size";
        public const string DryRun = "ailb.dry_run";
    }
}
