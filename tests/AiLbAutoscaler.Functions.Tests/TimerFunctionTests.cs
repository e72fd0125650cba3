using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;
using AiLbAutoscaler.Functions.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiLbAutoscaler.Functions.Tests;

[Trait("Area", "Functions")]
public sealed class TimerFunctionTests
{
    [Fact]
    public async Task A_tick_scales_every_stack()
    {
        await using var app = await TestApp.StartAsync();
        Heat(app, "inference", size: 2);
        Heat(app, "batch", size: 2);

        await app.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), default);

        Assert.Equal(3, await app.Actuator.GetCurrentSizeAsync("inference", default));
        Assert.Equal(3, await app.Actuator.GetCurrentSizeAsync("batch", default));
        var audit = await app.Get<IAuditLog>().QueryAsync("batch", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
        Assert.Equal(DecisionTrigger.Timer, Assert.Single(audit).Trigger);
    }

    [Fact]
    public async Task One_failing_stack_does_not_stop_the_others()
    {
        var store = new StateStoreBrokenForOneStack("inference");
        await using var app = await TestApp.StartAsync(services => services.AddSingleton<IStackStateStore>(store));
        Heat(app, "inference", size: 2);
        Heat(app, "batch", size: 2);

        await app.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), default);

        Assert.Equal(2, await app.Actuator.GetCurrentSizeAsync("inference", default));
        Assert.Equal(3, await app.Actuator.GetCurrentSizeAsync("batch", default));
        Assert.Contains(app.Log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("Stack inference failed this tick", StringComparison.Ordinal)
            && e.Message.Contains("table unreachable", StringComparison.Ordinal));
        Assert.Contains(app.Log.Entries, e => e.Message.Contains("1 completed, 0 busy, 1 failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_busy_stack_is_a_logged_skip()
    {
        await using var app = await TestApp.StartAsync();
        Heat(app, "inference", size: 2);
        Heat(app, "batch", size: 2);
        await using var lease = await app.Get<IStackLock>().TryAcquireAsync("inference", default);
        Assert.NotNull(lease);

        await app.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), default);

        Assert.Equal(2, await app.Actuator.GetCurrentSizeAsync("inference", default));
        Assert.Equal(3, await app.Actuator.GetCurrentSizeAsync("batch", default));
        Assert.Contains(app.Log.Entries, e => e.Level == LogLevel.Information
            && e.Message.Contains("Stack inference skipped this tick: Another update of stack 'inference' is in progress", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Log.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Pruning_deletes_records_past_the_retention()
    {
        var settings = TestApp.DefaultSettings();
        settings["Autoscaler:AuditRetentionDays"] = "7";
        await using var app = await TestApp.StartAsync(settings);
        Heat(app, "inference", size: 2);
        await app.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), default);
        app.Time.Advance(TimeSpan.FromDays(6));
        await app.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), default);
        app.Time.Advance(TimeSpan.FromDays(2));

        await app.Get<TimerFunctions>().PruneAuditAsync(new TimerInfo(), default);

        var left = await app.Get<IAuditLog>().QueryAsync("inference", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
        Assert.Equal(TestApp.Start.AddDays(6), Assert.Single(left).At);
        Assert.Contains(app.Log.Entries, e => e.Message == "Pruned 2 audit records");
    }

    /// <summary>Size 2 with GPU utilization 0.6 against the default 0.45: the tick asks for ceil(2 × 0.6 / 0.45) = ceil(2.67) = 3.</summary>
    private static void Heat(TestApp app, string stack, int size)
    {
        app.Actuator.SetSize(stack, size);
        app.Metrics.Set(stack, SignalReading.Of(SignalNames.GpuUtilization, 0.6, app.Time.GetUtcNow().AddSeconds(-30)));
    }

    /// <summary>The in-memory store, except that one stack's state cannot be read, like a table that is down.</summary>
    private sealed class StateStoreBrokenForOneStack(string broken) : IStackStateStore
    {
        private readonly InMemoryStackStateStore _inner = new();

        public Task<VersionedStackState> LoadAsync(string stack, CancellationToken cancellationToken) =>
            string.Equals(stack, broken, StringComparison.OrdinalIgnoreCase)
                ? throw new IOException("table unreachable")
                : _inner.LoadAsync(stack, cancellationToken);

        public Task<string> SaveAsync(string stack, StackState state, string? expectedVersion, CancellationToken cancellationToken) =>
            _inner.SaveAsync(stack, state, expectedVersion, cancellationToken);
    }
}
