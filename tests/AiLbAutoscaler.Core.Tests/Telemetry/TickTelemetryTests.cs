using System.Diagnostics;
using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Tests.Support;
using AiLbAutoscaler.Core.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using T = AiLbAutoscaler.Core.Telemetry.AutoscalerTelemetry;

namespace AiLbAutoscaler.Core.Tests.Telemetry;

/// <summary>
/// One tick seen through the OpenTelemetry SDK with its in-memory exporters: the metrics and the spans it produces, and
/// that a secret planted in a signal's problem and in the actuator's error reaches no tag. Each test has a stack of its
/// own, because the SDK listens by meter name and other tests tick at the same time.
/// </summary>
[Trait("Area", "Telemetry")]
public sealed class TickTelemetryTests
{
    private const string Secret = "pk-PLANTED-9f2c-secret";

    [Fact]
    public async Task One_tick_records_its_metrics_and_spans_and_no_secret_reaches_a_tag()
    {
        var stack = "otel-" + Guid.NewGuid().ToString("N")[..8];
        var metrics = new List<Metric>();
        var spans = new List<Activity>();
        using var meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(T.Name).AddInMemoryExporter(metrics).Build();
        using var tracerProvider = Sdk.CreateTracerProviderBuilder().AddSource(T.Name).AddInMemoryExporter(spans).Build();

        var policy = Fixtures.Open(Fixtures.Utilization(SignalNames.CpuUtilization, 0.5), Fixtures.Utilization(SignalNames.GpuUtilization, 0.5));
        policy.MaxSize = 3;
        var harness = new ControllerHarness(new Dictionary<string, Core.Policy.ScalingPolicy> { [stack] = policy },
            wrapActuator: inner => new SecretLeakingActuator(inner));
        harness.Actuator.SetSize(stack, 2);
        harness.Metrics.Set(stack,
        [
            SignalReading.Of(SignalNames.CpuUtilization, 1.0, harness.Now.AddSeconds(-30)),
            SignalReading.Missing(SignalNames.GpuUtilization, $"DCGM exporter refused token {Secret}"),
        ]);

        var result = await harness.Controller.TickAsync(stack, DecisionTrigger.Timer, default);
        meterProvider.ForceFlush();
        tracerProvider.ForceFlush();

        // cpu at 2× its target on 2 instances asks for 4; max-size holds it at 3; the apply fails with the secret in its message.
        Assert.Equal(3, result.Decision!.DesiredSize);
        Assert.Equal(ActuationOutcome.Failed, result.Actuation!.Outcome);
        Assert.Contains(Secret, result.Actuation.Message, StringComparison.Ordinal);

        var points = Points(metrics, stack);
        Assert.Equal(2, Single(points, T.Instruments.Size).Value);
        var desired = Single(points, T.Instruments.DesiredSize);
        Assert.Equal(3, desired.Value);
        Assert.Equal(SignalNames.CpuUtilization, desired.Tags[T.Tags.Signal]);
        Assert.Equal("scale_up", desired.Tags[T.Tags.Action]);
        Assert.Equal(1.0, Single(points, T.Instruments.SignalValue, SignalNames.CpuUtilization).Value);
        Assert.Equal(30, Single(points, T.Instruments.SignalAge, SignalNames.CpuUtilization).Value, 3);
        Assert.Equal(4, Single(points, T.Instruments.SignalRecommendedSize, SignalNames.CpuUtilization).Value);
        Assert.DoesNotContain(points, p => p.Instrument == T.Instruments.SignalValue && (string?)p.Tags[T.Tags.Signal] == SignalNames.GpuUtilization);
        var missing = Single(points, T.Instruments.SignalMissingTicks, SignalNames.GpuUtilization);
        Assert.Equal(1, missing.Value);
        Assert.Equal("missing", missing.Tags[T.Tags.SignalStatus]);
        var decisions = Single(points, T.Instruments.Decisions);
        Assert.Equal(1, decisions.Value);
        Assert.Equal("timer", decisions.Tags[T.Tags.Trigger]);
        Assert.Equal("max-size", Single(points, T.Instruments.AppliedRules).Tags[T.Tags.Rule]);
        Assert.Equal("failed", Single(points, T.Instruments.Actuations).Tags[T.Tags.ActuationOutcome]);
        Assert.Equal(1, Single(points, T.Instruments.ActuationDuration).Value); // a histogram point: its count
        Assert.Equal("completed", Single(points, T.Instruments.Ticks).Tags[T.Tags.TickOutcome]);
        Assert.DoesNotContain(points, p => p.Instrument is T.Instruments.LeaseContentions or T.Instruments.MergedStateConflicts);

        var root = Assert.Single(spans, s => s.OperationName == T.Spans.Tick && Equals(s.GetTagItem(T.Tags.Stack), stack));
        Assert.Null(root.ParentId);
        Assert.Equal("completed", root.GetTagItem(T.Tags.TickOutcome));
        Assert.Equal("timer", root.GetTagItem(T.Tags.Trigger));
        Assert.Equal("failed", root.GetTagItem(T.Tags.ActuationOutcome));
        Assert.Equal(ActivityStatusCode.Error, root.Status);
        var children = spans.Where(s => s.ParentSpanId == root.SpanId).OrderBy(s => s.StartTimeUtc).ToList();
        // A change saves its intent before the apply and its result after it.
        Assert.Equal([T.Spans.ReadMetrics, T.Spans.Decide, T.Spans.Save, T.Spans.Actuate, T.Spans.Save], children.Select(c => c.OperationName));
        Assert.All(children, c => Assert.Equal(stack, c.GetTagItem(T.Tags.Stack)));
        Assert.Equal("failed", children[3].GetTagItem(T.Tags.ActuationOutcome));

        var mine = spans.Where(s => s.TraceId == root.TraceId).ToList();
        var texts = mine.SelectMany(s => s.TagObjects.Select(t => $"{t.Key}={t.Value}")
                .Concat(s.Events.Select(e => e.Name)).Append(s.DisplayName).Append(s.StatusDescription ?? ""))
            .Concat(points.SelectMany(p => p.Tags.Select(t => $"{t.Key}={t.Value}")))
            .ToList();
        Assert.NotEmpty(texts);
        Assert.DoesNotContain(texts, t => t.Contains(Secret, StringComparison.Ordinal) || t.Contains("PLANTED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_held_lease_and_a_merged_state_conflict_are_counted()
    {
        var stack = "otel-" + Guid.NewGuid().ToString("N")[..8];
        var metrics = new List<Metric>();
        using var meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(T.Name).AddInMemoryExporter(metrics).Build();
        ConflictOnceStateStore? conflicting = null;
        var harness = new ControllerHarness(
            new Dictionary<string, Core.Policy.ScalingPolicy> { [stack] = Fixtures.Open(Fixtures.Utilization(SignalNames.CpuUtilization, 0.5)) },
            wrapStore: inner => conflicting = new ConflictOnceStateStore(inner, s => s with { ConsecutiveMissingTicks = 7 }));
        harness.Observe(stack, (SignalNames.CpuUtilization, 1.0));

        await using (var held = await harness.Locks.TryAcquireAsync(stack, default))
        {
            Assert.Equal(TickOutcome.Busy, (await harness.Controller.TickAsync(stack, DecisionTrigger.Timer, default)).Outcome);
        }

        Assert.Equal(TickOutcome.Completed, (await harness.Controller.TickAsync(stack, DecisionTrigger.Timer, default)).Outcome);
        meterProvider.ForceFlush();

        Assert.Equal(1, conflicting!.Conflicts);
        var points = Points(metrics, stack);
        var contention = Single(points, T.Instruments.LeaseContentions);
        Assert.Equal(1, contention.Value);
        Assert.Equal(T.Spans.Tick, contention.Tags[T.Tags.Operation]);
        Assert.Equal(1, Single(points, T.Instruments.MergedStateConflicts).Value);
        Assert.Equal([("busy", 1.0), ("completed", 1.0)],
            points.Where(p => p.Instrument == T.Instruments.Ticks).Select(p => ((string)p.Tags[T.Tags.TickOutcome]!, p.Value)).Order());
    }

    private sealed record Point(string Instrument, IReadOnlyDictionary<string, object?> Tags, double Value);

    /// <summary>The newest exported value of every metric point of <paramref name="stack"/> (a histogram's is its count).</summary>
    private static List<Point> Points(IEnumerable<Metric> metrics, string stack)
    {
        var latest = new Dictionary<string, Point>();
        foreach (var metric in metrics)
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, object?>();
                foreach (var tag in point.Tags)
                {
                    tags[tag.Key] = tag.Value;
                }

                if (!Equals(tags.GetValueOrDefault(T.Tags.Stack), stack))
                {
                    continue;
                }

                var value = metric.MetricType switch
                {
                    MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
                    MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => point.GetSumDouble(),
                    MetricType.LongGauge => point.GetGaugeLastValueLong(),
                    MetricType.DoubleGauge => point.GetGaugeLastValueDouble(),
                    MetricType.Histogram => point.GetHistogramCount(),
                    _ => double.NaN,
                };
                latest[metric.Name + string.Join(",", tags.OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}"))] = new Point(metric.Name, tags, value);
            }
        }

        return [.. latest.Values];
    }

    private static Point Single(List<Point> points, string instrument, string? signal = null) =>
        Assert.Single(points, p => p.Instrument == instrument && (signal is null || Equals(p.Tags.GetValueOrDefault(T.Tags.Signal), signal)));

    /// <summary>An actuator whose backend fails with a credential in its message, as a careless adapter might.</summary>
    private sealed class SecretLeakingActuator(IFleetActuator inner) : IFleetActuator
    {
        public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) => inner.GetCurrentSizeAsync(stack, cancellationToken);

        public Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"backend rejected access token {Secret}");
    }
}
