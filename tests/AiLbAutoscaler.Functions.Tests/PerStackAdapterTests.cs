using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Routing;
using AiLbAutoscaler.Pulumi.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>
/// One deployment, two stacks, two actuators: inference drives the pulumi CLI stand-in, batch the in-memory stand-in,
/// chosen by Autoscaler:Stacks:{stack}:Actuator through Core's router; manual rescales go through the HTTP route
/// under the real clock.
/// </summary>
[Trait("Area", "Functions")]
public sealed class PerStackAdapterTests : IDisposable
{
    private readonly StandInPulumi _pulumi = new();

    public void Dispose() => _pulumi.Dispose();

    [Fact]
    public async Task Each_stack_s_rescale_lands_on_the_actuator_its_setting_names()
    {
        _pulumi.OutputsTargetSize(2);
        var settings = TestApp.DefaultSettings();
        settings["Autoscaler:Stacks:inference:Actuator"] = "Pulumi";
        settings["Autoscaler:Stacks:inference:Pulumi:WorkDir"] = StandInPulumi.InfraDir;
        settings["Autoscaler:Stacks:inference:Pulumi:StackName"] = "dev";
        settings["Autoscaler:Stacks:inference:Pulumi:Binary"] = _pulumi.Binary;
        await using var app = await TestApp.StartAsync(settings, s => s.AddSingleton(TimeProvider.System), TimeProvider.System);
        var inMemory = (InMemoryFleetActuator)app.Host.Services.GetRequiredKeyedService<IFleetActuator>(AdapterNames.InMemory);
        var batchBefore = await inMemory.GetCurrentSizeAsync("batch", default);

        var inference = await RealClockEndToEndTests.PostAsync(app, "rescale", """{"targetSize": 4, "reason": "x"}""", stack: "inference");
        var batch = await RealClockEndToEndTests.PostAsync(app, "rescale", """{"targetSize": 5, "reason": "y"}""", stack: "batch");

        Assert.Equal(200, inference.Status);
        Assert.Equal(200, batch.Status);
        var up = Assert.Single(_pulumi.Calls(), c => c.Args.Contains("up"));
        Assert.Contains(_pulumi.Calls(), c => c.Args.Contains("config") && c.Args.Contains("4"));
        Assert.NotNull(up);
        Assert.Equal(5, await inMemory.GetCurrentSizeAsync("batch", default));
        Assert.NotEqual(5, batchBefore);
        Assert.DoesNotContain(_pulumi.Calls(), c => c.Args.Any(a => a.Contains("batch", StringComparison.Ordinal)));
        Assert.Equal(1, await inMemory.GetCurrentSizeAsync("inference", default)); // its initial size: the stand-in never saw inference's rescale
    }
}
