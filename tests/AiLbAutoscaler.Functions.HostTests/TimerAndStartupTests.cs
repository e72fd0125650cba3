using AiLbAutoscaler.Storage.Tests.Azurite;
using Azure.Data.Tables;

namespace AiLbAutoscaler.Functions.HostTests;

/// <summary>
/// The Autoscale timer invoked over FunctionRpc, with the in-memory adapters and with Azure Storage (a real Azurite),
/// and a worker that must refuse to start. Each test starts its own worker process.
/// </summary>
[Trait("Area", "FunctionsHost")]
public sealed class TimerAndStartupTests
{
    // Never a real secret, but treated as one: none of these may reach the worker's output.
    private const string SecretToken = "pul-standin-0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task A_timer_invocation_of_Autoscale_ticks_every_stack_with_the_in_memory_adapters()
    {
        var settings = WorkerSettings.InMemory();
        settings["PULUMI_ACCESS_TOKEN"] = SecretToken;
        settings["Autoscaler__Stacks__inference__TickSeconds"] = "60";
        await using var host = await FunctionsHostStandIn.StartAsync(FunctionsHostStandIn.PrepareAppDirectory(settings));

        var tick = await host.InvokeTimerAsync("Autoscale");

        Assert.True(tick.Succeeded, tick.Describe());
        Assert.Contains(tick.Logs, l => l.Message == "Autoscale tick: 2 completed, 0 busy, 0 failed, 0 not due");

        // A second timer right after: inference ticks once a minute, batch (no sample period known) every time.
        var again = await host.InvokeTimerAsync("Autoscale");
        Assert.True(again.Succeeded, again.Describe());
        Assert.Contains(again.Logs, l => l.Message == "Autoscale tick: 1 completed, 0 busy, 0 failed, 1 not due");
        // batch is bounded to [2, 6]: the tick applied its lower bound, and the status route sees the timer's decision.
        var (status, _) = await host.SendHttpAsync(HttpMethod.Get, "/api/stacks/batch/status");
        using var body = await WorkerProcessTests.JsonAsync(status);
        Assert.Equal(2, body.RootElement.GetProperty("currentSize").GetInt32());
        Assert.Equal("timer", body.RootElement.GetProperty("recentDecisions")[0].GetProperty("trigger").GetString());
        Assert.DoesNotContain(SecretToken, host.Output);
    }

    [Fact]
    public async Task A_timer_invocation_of_Autoscale_keeps_state_and_audit_in_Azurite()
    {
        await using var azurite = new AzuriteServer();
        await azurite.StartAsync();
        var settings = WorkerSettings.InMemory();
        settings["Autoscaler__Storage__Enabled"] = "true";
        settings["Autoscaler__Storage__ConnectionString"] = azurite.ConnectionString;
        settings["Autoscaler__Storage__StateTableName"] = "HostStateTest";
        settings["Autoscaler__Storage__AuditTableName"] = "HostAuditTest";
        settings["Autoscaler__Storage__LeaseContainerName"] = "host-leases-test";
        settings["Autoscaler__Dispatch"] = "Inline"; // this timer ticks in process; queue dispatch: Storage.Tests/Queues
        await using var host = await FunctionsHostStandIn.StartAsync(FunctionsHostStandIn.PrepareAppDirectory(settings));

        var tick = await host.InvokeTimerAsync("Autoscale");

        Assert.True(tick.Succeeded, tick.Describe());
        Assert.Contains(tick.Logs, l => l.Message == "Autoscale tick: 2 completed, 0 busy, 0 failed, 0 not due");
        var tables = new TableServiceClient(azurite.ConnectionString);
        var audit = tables.GetTableClient("HostAuditTest").QueryAsync<TableEntity>();
        var records = new List<TableEntity>();
        await foreach (var record in audit)
        {
            records.Add(record);
        }

        Assert.Equal(2, records.Count);
        var state = new List<TableEntity>();
        await foreach (var row in tables.GetTableClient("HostStateTest").QueryAsync<TableEntity>())
        {
            state.Add(row);
        }

        Assert.Equal(2, state.Count);
        var (history, _) = await host.SendHttpAsync(HttpMethod.Get, "/api/stacks/batch/history");
        using var body = await WorkerProcessTests.JsonAsync(history);
        Assert.Equal("timer", body.RootElement.GetProperty("records").EnumerateArray().Single().GetProperty("trigger").GetString());
        Assert.DoesNotContain(AzuriteServer.AccountKey, host.Output);
    }

    [Fact]
    public async Task A_worker_with_a_bad_setting_exits_with_a_message_naming_it()
    {
        var settings = WorkerSettings.InMemory();
        settings["Autoscaler__Stacks__inference__Policy__MaxSize"] = "0";
        settings["PULUMI_ACCESS_TOKEN"] = SecretToken;

        var (exitCode, output) = await FunctionsHostStandIn.RunToExitAsync(
            FunctionsHostStandIn.PrepareAppDirectory(settings), TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Autoscaler:Stacks:inference:Policy:MaxSize must be 1 or more (was 0)", output);
        Assert.DoesNotContain(SecretToken, output);
    }
}
