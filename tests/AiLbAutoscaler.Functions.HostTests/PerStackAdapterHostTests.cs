using System.Net;
using AiLbAutoscaler.Pulumi.Tests;

namespace AiLbAutoscaler.Functions.HostTests;

/// <summary>
/// The built worker under the host stand-in, on the real clock, with two stacks on two actuators: inference on the
/// pulumi CLI stand-in (Autoscaler:Stacks:inference:Actuator = Pulumi), batch on the in-memory stand-in (the global
/// default). A timer tick and a rescale of each stack land on that stack's adapter only.
/// </summary>
[Trait("Area", "FunctionsHost")]
public sealed class PerStackAdapterHostTests : IDisposable
{
    private readonly StandInPulumi _pulumi = new();

    public void Dispose() => _pulumi.Dispose();

    [Fact]
    public async Task A_tick_and_a_rescale_of_each_stack_land_on_the_actuator_its_setting_names()
    {
        _pulumi.OutputsTargetSize(3);
        var settings = WorkerSettings.InMemory();
        settings["Autoscaler__Stacks__inference__Actuator"] = "Pulumi";
        settings["Autoscaler__Stacks__inference__Pulumi__WorkDir"] = StandInPulumi.InfraDir;
        settings["Autoscaler__Stacks__inference__Pulumi__StackName"] = "dev";
        settings["Autoscaler__Stacks__inference__Pulumi__Binary"] = _pulumi.Binary;
        await using var host = await FunctionsHostStandIn.StartAsync(FunctionsHostStandIn.PrepareAppDirectory(settings));

        var tick = await host.InvokeTimerAsync("Autoscale");

        Assert.True(tick.Succeeded, tick.Describe());
        Assert.Contains(tick.Logs, l => l.Message == "Autoscale tick: 2 completed, 0 busy, 0 failed, 0 not due");
        // inference's size came from its stack's outputs, in the infra/ program's folder ...
        var afterTick = _pulumi.Calls();
        Assert.Contains(afterTick, c => c.Args.Take(2).SequenceEqual(["stack", "output"]));
        Assert.All(afterTick, c => Assert.Equal(StandInPulumi.InfraDir, c.WorkDir));
        Assert.Equal(3, await CurrentSizeAsync(host, "inference"));
        // ... while batch (in memory, starting at 1, bounded to [2, 6]) was raised to its floor by the same tick.
        Assert.Equal(2, await CurrentSizeAsync(host, "batch"));

        var (inference, _) = await host.SendHttpAsync(HttpMethod.Post, "/api/stacks/inference/rescale", """{"targetSize": 4, "reason": "per-stack check"}""");
        Assert.Equal(HttpStatusCode.OK, inference.StatusCode);
        var afterInference = _pulumi.Calls().Skip(afterTick.Count).ToList();
        Assert.Contains(afterInference, c => c.Args.Take(2).SequenceEqual(["config", "set"]) && c.Args.Contains("4"));
        Assert.Contains(afterInference, c => c.Args.FirstOrDefault() == "up");
        Assert.Equal(2, await CurrentSizeAsync(host, "batch"));

        var calls = _pulumi.Calls().Count;
        var (batch, _) = await host.SendHttpAsync(HttpMethod.Post, "/api/stacks/batch/rescale", """{"targetSize": 5, "reason": "per-stack check"}""");
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        Assert.Equal(5, await CurrentSizeAsync(host, "batch"));
        Assert.Equal(calls, _pulumi.Calls().Count); // batch's rescale and status never ran the CLI
        Assert.DoesNotContain(_pulumi.Calls(), c => c.Args.Any(a => a.Contains("batch", StringComparison.Ordinal) || a == "5"));
    }

    private static async Task<int> CurrentSizeAsync(FunctionsHostStandIn host, string stack)
    {
        var (status, _) = await host.SendHttpAsync(HttpMethod.Get, $"/api/stacks/{stack}/status");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        using var body = await WorkerProcessTests.JsonAsync(status);
        return body.RootElement.GetProperty("currentSize").GetInt32();
    }
}
