using AiLbAutoscaler.Adapters.AzureStorage.Audit;
using AiLbAutoscaler.Adapters.AzureStorage.Configuration;
using AiLbAutoscaler.Adapters.AzureStorage.Leases;
using AiLbAutoscaler.Adapters.AzureStorage.State;
using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Storage.Tests.Azurite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Storage.Tests;

/// <summary>The controller as a host wires it: Core + AddAzureStorageState, with in-memory metrics and actuator.</summary>
[Trait("Area", "Storage")]
public sealed class ControllerWiringTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_tick_reads_decides_applies_and_leaves_state_audit_and_a_free_lease_in_storage()
    {
        var metrics = new InMemoryMetricsSource();
        var actuator = new InMemoryFleetActuator(initialSize: 2);
        await using var provider = Build(metrics, actuator, out var options);
        provider.GetRequiredService<IStartupValidator>().Validate();
        var controller = provider.GetRequiredService<AutoscaleController>();
        metrics.Set("web", SignalReading.Of(SignalNames.GpuUtilization, 0.95, DateTimeOffset.UtcNow.AddSeconds(-20)));

        var result = await controller.TickAsync("web", DecisionTrigger.Timer, CancellationToken.None);

        Assert.Equal(TickOutcome.Completed, result.Outcome);
        Assert.Equal(ScalingAction.ScaleUp, result.Decision!.Action);
        Assert.Equal(ActuationOutcome.Applied, result.Actuation!.Outcome);
        var applied = result.Decision.DesiredSize;
        Assert.True(applied > 2);
        Assert.Equal(applied, await actuator.GetCurrentSizeAsync("web", CancellationToken.None));

        // What another instance finds in storage afterwards.
        var other = new StorageSet(new AzureStorageClients(options), TimeProvider.System);
        var state = await other.State.LoadAsync("web", CancellationToken.None);
        Assert.NotNull(state.Version);
        Assert.Equal(applied, state.State.LastAppliedSize);
        Assert.Contains(state.State.ScaleEvents, e => e.From == 2 && e.To == applied);
        Assert.Null(state.State.PendingDesiredSize);

        var history = await provider.GetRequiredService<StackQueries>().HistoryAsync("web", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1), 10, CancellationToken.None);
        var row = Assert.Single(history);
        Assert.Equal(applied, row.Decision.DesiredSize);
        Assert.Equal(SignalNames.GpuUtilization, Assert.Single(row.Inputs).Signal);
        Assert.Equal(ActuationOutcome.Applied, row.Actuation.Outcome);

        await using var lease = await other.Lock.TryAcquireAsync("web", CancellationToken.None);
        Assert.NotNull(lease); // released at the end of the tick, not left to expire

        var status = await provider.GetRequiredService<StackQueries>().StatusAsync("web", CancellationToken.None);
        Assert.Equal(applied, status.LastAppliedSize);
        Assert.Single(status.RecentDecisions);
    }

    [Fact]
    public async Task Ticks_racing_on_one_stack_either_complete_one_at_a_time_or_are_busy()
    {
        var metrics = new InMemoryMetricsSource();
        await using var provider = Build(metrics, new InMemoryFleetActuator(initialSize: 3), out var options);
        metrics.Set("web", SignalReading.Of(SignalNames.GpuUtilization, 1.0, DateTimeOffset.UtcNow));

        // Separate controllers over separate clients: several Function instances firing at once, each update taking 2 s.
        var controllers = Enumerable.Range(0, 6).Select(_ => Build(metrics, new SlowActuatorStandIn(new InMemoryFleetActuator(initialSize: 3)), out AzureStorageOptions _, options))
            .Select(p => p.GetRequiredService<AutoscaleController>()).ToList();
        var results = await Task.WhenAll(controllers.Select(c => Task.Run(() => c.TickAsync("web", DecisionTrigger.Timer, CancellationToken.None))));

        Assert.All(results, r => Assert.True(r.Outcome is TickOutcome.Completed or TickOutcome.Busy, r.Error));
        var completed = results.Count(r => r.Outcome == TickOutcome.Completed);
        Assert.True(completed >= 1);
        Assert.Contains(results, r => r.Outcome == TickOutcome.Busy);
        Assert.All(results.Where(r => r.Outcome == TickOutcome.Busy), r => Assert.Contains("in progress", r.Error));

        var audit = provider.GetRequiredService<IAuditLog>();
        var rows = await audit.QueryAsync("web", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1), 100, CancellationToken.None);
        Assert.Equal(completed, rows.Count);
    }

    [Fact]
    public void The_storage_adapters_replace_the_in_memory_ports_whichever_is_registered_first()
    {
        var configuration = Configuration(azurite.NewOptions());
        foreach (var coreFirst in new[] { true, false })
        {
            var services = new ServiceCollection().AddLogging();
            if (coreFirst)
            {
                services.AddAutoscalerCore(configuration).AddAzureStorageState(configuration);
            }
            else
            {
                services.AddAzureStorageState(configuration).AddAutoscalerCore(configuration);
            }

            using var provider = services.BuildServiceProvider();
            Assert.IsType<AzureTableStackStateStore>(provider.GetRequiredService<IStackStateStore>());
            Assert.IsType<AzureBlobStackLock>(provider.GetRequiredService<IStackLock>());
            Assert.IsType<AzureTableAuditLog>(provider.GetRequiredService<IAuditLog>());
            Assert.Single(provider.GetServices<IStackStateStore>());
        }
    }

    [Fact]
    public void A_bad_storage_setting_fails_startup_naming_the_setting()
    {
        var configuration = Configuration(azurite.NewOptions(o => o.LeaseDurationSeconds = 90));
        using var provider = new ServiceCollection().AddLogging().AddAutoscalerCore(configuration).AddAzureStorageState(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Autoscaler:Storage:LeaseDurationSeconds", error.Message);
    }

    private ServiceProvider Build(InMemoryMetricsSource metrics, IFleetActuator actuator, out AzureStorageOptions options, AzureStorageOptions? shared = null)
    {
        options = shared ?? azurite.NewOptions();
        var configuration = new ConfigurationBuilder().AddConfiguration(Configuration(options))
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Autoscaler:Actuator"] = "TestStandIn", ["Autoscaler:Metrics:Source"] = "TestStandIn" })
            .Build();
        var services = new ServiceCollection().AddLogging();
        services.AddMetricsSourceAdapter("TestStandIn", _ => metrics).AddFleetActuatorAdapter("TestStandIn", _ => actuator);

        // AddAutoscalerCore's TryAddSingleton<DecisionEngine>() makes DI pick the (TimeProvider, IEnumerable<ISignalRecommender>)
        // constructor with no recommender registered, so every decision throws; the default constructor is wanted (Core issue, reported).
        services.AddSingleton(sp => new DecisionEngine(sp.GetRequiredService<TimeProvider>()));
        services.AddAutoscalerCore(configuration).AddAzureStorageState(configuration);
        return services.BuildServiceProvider(validateScopes: true);
    }

    private static IConfiguration Configuration(AzureStorageOptions storage) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Autoscaler:Stacks:web:Policy:MinSize"] = "1",
            ["Autoscaler:Stacks:web:Policy:MaxSize"] = "10",
            ["Autoscaler:Storage:ConnectionString"] = storage.ConnectionString,
            ["Autoscaler:Storage:StateTableName"] = storage.StateTableName,
            ["Autoscaler:Storage:AuditTableName"] = storage.AuditTableName,
            ["Autoscaler:Storage:LeaseContainerName"] = storage.LeaseContainerName,
            ["Autoscaler:Storage:LeaseDurationSeconds"] = storage.LeaseDurationSeconds.ToString(),
            ["Autoscaler:Storage:MaxRetries"] = "1",
        })
        .Build();

    /// <summary>A stand-in for a slow <c>pulumi up</c>: the in-memory actuator, two seconds late.</summary>
    private sealed class SlowActuatorStandIn(IFleetActuator inner) : IFleetActuator
    {
        public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) => inner.GetCurrentSizeAsync(stack, cancellationToken);

        public async Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            return await inner.ApplyAsync(stack, desiredSize, reason, cancellationToken);
        }
    }
}
