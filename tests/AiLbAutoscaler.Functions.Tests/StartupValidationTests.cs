using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Functions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Functions.Tests;

[Trait("Area", "Functions")]
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Autoscaler:Stacks:inference:Policy:MaxSize", "0", "Autoscaler:Stacks:inference:Policy:MaxSize must be 1 or more (was 0)")]
    [InlineData("Autoscaler:Stacks:batch:Policy:MinSize", "9", "Autoscaler:Stacks:batch:Policy:MinSize (9) must not exceed MaxSize (6)")]
    [InlineData("Autoscaler:AuditRetentionDays", "0", "Autoscaler:AuditRetentionDays must be 1 or more")]
    [InlineData("Autoscaler:Http:MaxBodyBytes", "10", "Autoscaler:Http:MaxBodyBytes must be in [256, 1048576] (was 10)")]
    [InlineData("Autoscaler:Http:DefaultHistoryHours", "-1", "Autoscaler:Http:DefaultHistoryHours must be more than 0")]
    [InlineData("Autoscaler:Http:MaxHistoryRecords", "0", "Autoscaler:Http:MaxHistoryRecords must be in [1, 100000]")]
    [InlineData("AUTOSCALER_SCHEDULE", "", "AUTOSCALER_SCHEDULE is required")]
    [InlineData("AUTOSCALER_SCHEDULE", "*/5 * * * *", "AUTOSCALER_SCHEDULE is not a schedule (was '*/5 * * * *')")]
    [InlineData("AUTOSCALER_PRUNE_SCHEDULE", "daily", "AUTOSCALER_PRUNE_SCHEDULE is not a schedule")]
    public async Task A_bad_setting_fails_startup_with_a_message_naming_it(string key, string value, string expected) =>
        Assert.Contains(expected, (await FailsToStartAsync(key, value)).Message);

    [Fact]
    public async Task No_stack_at_all_fails_startup()
    {
        var settings = TestApp.DefaultSettings();
        foreach (var key in settings.Keys.Where(k => k.StartsWith("Autoscaler:Stacks", StringComparison.Ordinal)).ToList())
        {
            settings.Remove(key);
        }

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(settings));

        Assert.Contains("Autoscaler:Stacks must name at least one stack", ex.Message);
    }

    [Theory]
    [InlineData("Autoscaler:Storage:Enabled", "yes", "Autoscaler:Storage:Enabled must be true or false (was 'yes')")]
    public async Task An_adapter_setting_that_names_no_adapter_fails_startup_naming_it(string key, string value, string expected)
    {
        var settings = TestApp.DefaultSettings();
        settings[key] = value;

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => TestApp.StartAsync(settings));

        Assert.Contains(expected, ex.Message);
    }

    /// <summary>An adapter name registered nowhere fails startup naming the setting it came from, global or per stack.</summary>
    [Theory]
    [InlineData("Autoscaler:Actuator", "Terraform", "Autoscaler:Actuator is 'Terraform', but no actuator adapter by that name is registered (registered: none). App setting: Autoscaler__Actuator.")]
    [InlineData("Autoscaler:Metrics:Source", "Prom", "Autoscaler:Metrics:Source is 'Prom', but no metrics source adapter by that name is registered (registered: none)")]
    [InlineData("Autoscaler:Stacks:batch:Actuator", "Terraform", "Autoscaler:Stacks:batch:Actuator is 'Terraform', but no actuator adapter by that name is registered (registered: InMemory). App setting: Autoscaler__Stacks__batch__Actuator.")]
    [InlineData("Autoscaler:Stacks:batch:Metrics:Adapter", "Prom", "Autoscaler:Stacks:batch:Metrics:Adapter is 'Prom', but no metrics source adapter by that name is registered")]
    public async Task An_adapter_name_registered_nowhere_fails_startup_naming_the_setting(string key, string value, string expected)
    {
        var settings = TestApp.DefaultSettings();
        settings[key] = value;

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(settings));

        Assert.Contains(expected, ex.Message);
    }

    /// <summary>Selecting a real adapter registers it, and its own startup validation then names what it lacks.</summary>
    [Theory]
    [InlineData("Autoscaler:Actuator", "Pulumi", "Autoscaler:Stacks:batch:Pulumi is missing")]
    [InlineData("Autoscaler:Metrics:Source", "CloudMonitoring", "Autoscaler:Stacks:inference:Metrics:Project is required")]
    [InlineData("Autoscaler:Storage:Enabled", "true", "Autoscaler:Storage")]
    public async Task A_selected_adapter_is_registered_and_validates_its_own_settings(string key, string value, string expected)
    {
        var settings = TestApp.DefaultSettings();
        settings[key] = value;

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(settings));

        var messages = ex is AggregateException all ? string.Join(" | ", all.Flatten().InnerExceptions.Select(e => e.Message)) : ex.Message;
        Assert.Contains(expected, messages);
    }

    [Fact]
    public async Task A_host_s_own_unkeyed_actuator_or_metrics_source_fails_startup_naming_it()
    {
        var actuator = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestApp.StartAsync(s => s.AddSingleton<IFleetActuator>(new InMemoryFleetActuator())));
        Assert.Contains("IFleetActuator is registered as AiLbAutoscaler.Core.InMemory.InMemoryFleetActuator, which bypasses the per-stack router", actuator.Message);
        Assert.Contains("services.AddFleetActuatorAdapter(name, ...)", actuator.Message);

        var metrics = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestApp.StartAsync(s => s.AddSingleton<IMetricsSource>(new InMemoryMetricsSource())));
        Assert.Contains("IMetricsSource is registered as AiLbAutoscaler.Core.InMemory.InMemoryMetricsSource", metrics.Message);
        Assert.Contains("Autoscaler:Metrics:Source and Autoscaler:Stacks:<stack> settings would be ignored", metrics.Message);
    }

    [Fact]
    public async Task Each_selected_adapter_replaces_its_in_memory_stand_in()
    {
        var settings = TestApp.DefaultSettings();
        settings["Autoscaler:Actuator"] = "Pulumi";
        settings["Autoscaler:Metrics:Source"] = "CloudMonitoring";
        settings["Autoscaler:Storage:Enabled"] = "true";
        settings["Autoscaler:Storage:ConnectionString"] = "UseDevelopmentStorage=true";
        settings["AzureWebJobsStorage"] = "UseDevelopmentStorage=true"; // where the tick queue lives (Dispatch defaults to Queue with storage)
        var infra = Path.Combine(AiLbAutoscaler.Tests.Shared.RepositoryRoot.Path, "infra");
        foreach (var stack in new[] { "inference", "batch" })
        {
            settings[$"Autoscaler:Stacks:{stack}:Metrics:Project"] = "my-project";
            settings[$"Autoscaler:Stacks:{stack}:Metrics:BackendServiceName"] = $"{stack}-backend";
            settings[$"Autoscaler:Stacks:{stack}:Pulumi:WorkDir"] = infra;
            settings[$"Autoscaler:Stacks:{stack}:Pulumi:StackName"] = "dev";
        }

        await using var app = await TestApp.StartAsync(settings);

        Assert.Equal("MetricsSource", app.Host.Services.GetRequiredKeyedService<IMetricsSource>("CloudMonitoring").GetType().Name);
        Assert.Equal("PulumiFleetActuator", app.Host.Services.GetRequiredKeyedService<IFleetActuator>("Pulumi").GetType().Name);
        Assert.Null(app.Host.Services.GetKeyedService<IFleetActuator>("InMemory")); // no stack selects the stand-ins, so they are not there
        Assert.Null(app.Host.Services.GetKeyedService<IMetricsSource>("InMemory"));
        Assert.Equal("AzureTableStackStateStore", app.Get<IStackStateStore>().GetType().Name);
        Assert.Equal("AzureBlobStackLock", app.Get<IStackLock>().GetType().Name);
        Assert.Equal("AzureTableAuditLog", app.Get<IAuditLog>().GetType().Name);
        Assert.Equal("AzureQueueTickQueue", app.Get<ITickQueue>().GetType().Name);
    }

    [Fact]
    public async Task The_default_settings_start_and_warn_about_every_stand_in()
    {
        await using var app = await TestApp.StartAsync();

        var warnings = app.Log.Entries.Where(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Contains(warnings, w => w.Contains("metrics source is the in-memory stand-in", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("actuator is the in-memory stand-in", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("state store, lock and audit log is the in-memory stand-in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_container_has_a_recommender_for_every_target_kind()
    {
        await using var app = await TestApp.StartAsync();

        var kinds = app.Get<IEnumerable<AiLbAutoscaler.Core.Engine.Recommenders.ISignalRecommender>>().Select(r => r.Kind);

        Assert.Equal(Enum.GetValues<AiLbAutoscaler.Core.Policy.TargetKind>().Order(), kinds.Order());
    }

    [Theory]
    [InlineData("0 */1 * * * *", true)]
    [InlineData("0 30 3 * * Mon-Fri", true)]
    [InlineData("00:05:00", true)]
    [InlineData("*/5 * * * *", false)]
    [InlineData("00:00:00", false)]
    [InlineData("0 */1 * * * * *", false)]
    [InlineData("0 */1 * * * ;", false)]
    public void Schedules_are_six_field_ncrontab_or_an_interval(string value, bool valid) =>
        Assert.Equal(valid, ScheduleOptionsValidator.IsSchedule(value));

    private static async Task<OptionsValidationException> FailsToStartAsync(string key, string value)
    {
        var settings = TestApp.DefaultSettings();
        settings[key] = value;
        return await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(settings));
    }
}
