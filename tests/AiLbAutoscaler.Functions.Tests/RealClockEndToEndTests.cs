using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Functions.Functions;
using AiLbAutoscaler.Storage.Tests.Azurite;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>One real Azurite (npm azurite@3.35.0 on loopback) for a class of end-to-end tests.</summary>
public sealed class AzuriteForFunctions : IAsyncLifetime
{
    private static int _counter;

    public AzuriteServer Server { get; } = new();

    public Task InitializeAsync() => Server.StartAsync();

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();

    /// <summary>The app's settings over this Azurite, with tables and a lease container no other test uses.</summary>
    public Dictionary<string, string?> Settings()
    {
        var n = Interlocked.Increment(ref _counter);
        var settings = TestApp.DefaultSettings();
        settings["Autoscaler:Storage:Enabled"] = "true";
        settings["Autoscaler:Storage:ConnectionString"] = Server.ConnectionString;
        settings["Autoscaler:Storage:StateTableName"] = $"E2eState{n}";
        settings["Autoscaler:Storage:AuditTableName"] = $"E2eAudit{n}";
        settings["Autoscaler:Storage:LeaseContainerName"] = $"e2e-leases-{n}";
        settings["Autoscaler:Storage:LeaseDurationSeconds"] = "15";
        settings["Autoscaler:Storage:MaxRetries"] = "1";
        settings["Autoscaler:Storage:RequestTimeoutSeconds"] = "5";

        // The timer here ticks in process; queue dispatch (the default with storage) is tested in Storage.Tests/Queues.
        settings["Autoscaler:Dispatch"] = "Inline";
        return settings;
    }

    /// <summary>The app with every stack on <paramref name="fleet"/> (and <paramref name="metrics"/>), registered and selected as adapters named TestStandIn.</summary>
    internal async Task<TestApp> StartAsync(Dictionary<string, string?> settings, IFleetActuator fleet, IMetricsSource? metrics = null)
    {
        settings["Autoscaler:Actuator"] = "TestStandIn";
        if (metrics is not null)
        {
            settings["Autoscaler:Metrics:Source"] = "TestStandIn";
        }

        return await TestApp.StartAsync(settings, services =>
        {
            services.AddFleetActuatorAdapter("TestStandIn", _ => fleet);
            if (metrics is not null)
            {
                services.AddMetricsSourceAdapter("TestStandIn", _ => metrics);
            }
        }, TimeProvider.System);
    }
}

/// <summary>
/// Every HTTP route and the timer under <see cref="TimeProvider.System"/>, over real Azurite storage (state, audit and
/// blob leases), with real delays between the steps. The fleet and the metrics are in-memory stand-ins.
/// </summary>
[Trait("Area", "Functions")]
public sealed class RealClockEndToEndTests(AzuriteForFunctions azurite) : IClassFixture<AzuriteForFunctions>
{
    private const string Stack = "inference";
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(1200);

    [Fact]
    public async Task A_rescale_without_a_hold_applies_under_the_real_clock_and_status_and_history_show_it()
    {
        var fleet = new InMemoryFleetActuator(initialSize: 2);
        await using var app = await azurite.StartAsync(azurite.Settings(), fleet);

        var rescale = await PostAsync(app, "rescale", """{"targetSize": 5, "reason": "x"}""");

        Assert.Equal(200, rescale.Status);
        Assert.Equal("scaleUp", rescale.Body.GetProperty("decision").GetProperty("action").GetString());
        Assert.Equal("applied", rescale.Body.GetProperty("actuation").GetProperty("outcome").GetString());
        Assert.Equal(5, await fleet.GetCurrentSizeAsync(Stack, default));

        await Task.Delay(Pause);
        var status = await GetAsync(app, "status", "");
        Assert.Equal(200, status.Status);
        Assert.Equal(5, status.Body.GetProperty("currentSize").GetInt32());
        Assert.Equal(5, status.Body.GetProperty("lastAppliedSize").GetInt32());
        Assert.False(status.Body.TryGetProperty("override", out _), "a rescale without a hold pins nothing");
        Assert.Equal(System.Text.Json.JsonValueKind.Array, status.Body.GetProperty("schedules").ValueKind);

        await Task.Delay(Pause);
        var history = await GetAsync(app, "history", "");
        Assert.Equal(200, history.Status);
        var row = Assert.Single(history.Body.GetProperty("records").EnumerateArray());
        Assert.Equal(5, row.GetProperty("decision").GetProperty("desiredSize").GetInt32());
        Assert.Equal("http", row.GetProperty("trigger").GetString());
    }

    [Fact]
    public async Task A_held_rescale_survives_timer_ticks_and_evaluate_applies_only_without_dry_run()
    {
        var fleet = new InMemoryFleetActuator(initialSize: 2);
        var metrics = new InMemoryMetricsSource();
        await using var app = await azurite.StartAsync(azurite.Settings(), fleet, metrics);

        var rescale = await PostAsync(app, "rescale", """{"targetSize": 6, "reason": "launch", "holdMinutes": 60}""");
        Assert.Equal(200, rescale.Status);

        // Idle load would scale in; the hold keeps 6 through real timer ticks.
        for (var i = 0; i < 2; i++)
        {
            await Task.Delay(Pause);
            metrics.Set(Stack, SignalReading.Of(SignalNames.GpuUtilization, 0.05, DateTimeOffset.UtcNow));
            await app.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), default);
            Assert.Equal(6, await fleet.GetCurrentSizeAsync(Stack, default));
        }

        // A second stack with no hold: evaluate decides, and applies only with dryRun=false.
        await Task.Delay(Pause);
        metrics.Set("batch", SignalReading.Of(SignalNames.GpuUtilization, 0.95, DateTimeOffset.UtcNow));
        fleet.SetSize("batch", 2);
        var dry = await PostAsync(app, "evaluate", null, "?dryRun=true", stack: "batch");
        Assert.Equal(200, dry.Status);
        Assert.Equal("dryRun", dry.Body.GetProperty("actuation").GetProperty("outcome").GetString());
        Assert.Equal(2, await fleet.GetCurrentSizeAsync("batch", default));

        await Task.Delay(Pause);
        var wet = await PostAsync(app, "evaluate", null, "?dryRun=false", stack: "batch");
        Assert.Equal(200, wet.Status);
        Assert.Equal("applied", wet.Body.GetProperty("actuation").GetProperty("outcome").GetString());
        Assert.True(await fleet.GetCurrentSizeAsync("batch", default) > 2);

        var trail = await app.Get<IAuditLog>().QueryAsync(Stack, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1), 100, default);
        Assert.Equal([DecisionTrigger.Http, DecisionTrigger.Timer, DecisionTrigger.Timer], trail.Select(r => r.Trigger));
    }

    [Fact]
    public async Task One_timer_ticks_each_stack_at_its_own_interval_kept_in_real_storage()
    {
        var fleet = new InMemoryFleetActuator(initialSize: 2);
        var metrics = new InMemoryMetricsSource();
        var settings = azurite.Settings();
        settings["Autoscaler:Stacks:inference:TickSeconds"] = "2";
        settings["Autoscaler:Stacks:batch:TickSeconds"] = "0";
        await using var app = await azurite.StartAsync(settings, fleet, metrics);
        var start = DateTimeOffset.UtcNow;

        foreach (var wait in new[] { 0, 500, 2100 })
        {
            await Task.Delay(wait);
            metrics.Set(Stack, SignalReading.Of(SignalNames.GpuUtilization, 0.3, DateTimeOffset.UtcNow));
            metrics.Set("batch", SignalReading.Of(SignalNames.GpuUtilization, 0.3, DateTimeOffset.UtcNow));
            await app.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), default);
        }

        var log = app.Get<IAuditLog>();
        var inference = await log.QueryAsync(Stack, start.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1), 100, default);
        var batch = await log.QueryAsync("batch", start.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1), 100, default);
        Assert.Equal(2, inference.Count); // the second call, 0.5 s after the first, was not due
        Assert.Equal(3, batch.Count);
        Assert.True(inference[1].At - inference[0].At >= TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Storage_lost_during_the_apply_answers_applied_not_recorded_and_the_next_tick_reconciles_once_it_is_back()
    {
        var server = new AzuriteServer();
        await server.StartAsync();
        await using var _ = server;
        var settings = azurite.Settings();
        settings["Autoscaler:Storage:ConnectionString"] = server.ConnectionString;
        settings["Autoscaler:Storage:MaxRetries"] = "0";
        settings["Autoscaler:Storage:RequestTimeoutSeconds"] = "2";
        var fleet = new StorageOutageDuringApplyStandIn(new InMemoryFleetActuator(initialSize: 2), server);
        var metrics = new InMemoryMetricsSource();
        await using var app = await azurite.StartAsync(settings, fleet, metrics);

        var rescale = await PostAsync(app, "rescale", """{"targetSize": 8, "reason": "launch", "holdMinutes": 60}""");

        Assert.Equal(200, rescale.Status);
        Assert.False(rescale.Body.GetProperty("recorded").GetBoolean());
        Assert.Contains("applied, not recorded; the next tick reconciles", rescale.Body.GetProperty("error").GetString());
        Assert.Equal(8, await fleet.GetCurrentSizeAsync(Stack, default));

        await server.StartAsync(); // same ports and data
        await Task.Delay(Pause);
        metrics.Set(Stack, SignalReading.Of(SignalNames.GpuUtilization, 0.05, DateTimeOffset.UtcNow));
        await app.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), default);

        Assert.Equal(8, await fleet.GetCurrentSizeAsync(Stack, default)); // the hold, recorded with the intent, holds
        var state = (await app.Get<IStackStateStore>().LoadAsync(Stack, default)).State;
        Assert.Equal(8, state.LastAppliedSize);
        Assert.Contains(state.ScaleEvents, e => e.From == 2 && e.To == 8);
        var trail = await app.Get<IAuditLog>().QueryAsync(Stack, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1), 100, default);
        Assert.Contains(trail, r => r.Trigger == DecisionTrigger.Http && r.Decision.DesiredSize == 8); // written once storage was back
        Assert.Contains(trail, r => r.Trigger == DecisionTrigger.Reconcile && r.Decision.CurrentSize == 2 && r.Decision.DesiredSize == 8);
    }

    internal static async Task<Response> PostAsync(TestApp app, string route, string? body, string query = "", string stack = Stack)
    {
        var request = TestApp.Post(body, query);
        var functions = app.Get<ScalingFunctions>();
        var result = route == "rescale"
            ? await functions.RescaleAsync(request, stack, default)
            : await functions.EvaluateAsync(request, stack, default);
        return await TestApp.ExecuteAsync(result, request);
    }

    internal static async Task<Response> GetAsync(TestApp app, string route, string query, string stack = Stack)
    {
        var request = TestApp.Get(query);
        var functions = app.Get<StackQueryFunctions>();
        var result = route == "status"
            ? await functions.StatusAsync(request, stack, default)
            : await functions.HistoryAsync(request, stack, default);
        return await TestApp.ExecuteAsync(result, request);
    }

    /// <summary>The in-memory fleet, whose apply stops Azurite just as it takes effect: storage gone mid-apply.</summary>
    private sealed class StorageOutageDuringApplyStandIn(InMemoryFleetActuator inner, AzuriteServer server) : IFleetActuator
    {
        public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) => inner.GetCurrentSizeAsync(stack, cancellationToken);

        public async Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken)
        {
            var result = await inner.ApplyAsync(stack, desiredSize, reason, cancellationToken);
            await server.StopAsync();
            return result;
        }
    }
}
