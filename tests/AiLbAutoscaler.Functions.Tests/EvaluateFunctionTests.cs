using Microsoft.Extensions.DependencyInjection;
using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Functions.Functions;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Functions.Tests;

[Trait("Area", "Functions")]
public sealed class EvaluateFunctionTests
{
    private const string Stack = "inference";

    [Theory]
    [InlineData("")]
    [InlineData("?dryRun=true")]
    [InlineData("?dryRun=TRUE")]
    public async Task A_dry_run_returns_the_decision_without_applying_or_remembering_it(string query)
    {
        await using var app = await StartHotAsync();

        var response = await EvaluateAsync(app, query);

        Assert.True(200 == response.Status, string.Join("\n", app.Log.Entries.Select(e => e.Message + e.Exception)));
        var decision = response.Body.GetProperty("decision");
        Assert.Equal("scaleUp", decision.GetProperty("action").GetString());
        Assert.Equal(2, decision.GetProperty("currentSize").GetInt32());
        Assert.Equal(3, decision.GetProperty("desiredSize").GetInt32());
        Assert.Equal(SignalNames.GpuUtilization, decision.GetProperty("winningSignal").GetString());
        Assert.Equal("dryRun", response.Body.GetProperty("actuation").GetProperty("outcome").GetString());
        Assert.Empty(app.Actuator.Applied);
        Assert.Null((await app.Get<IStackStateStore>().LoadAsync(Stack, default)).Version);
    }

    [Fact]
    public async Task Without_dry_run_it_applies_like_a_tick_and_audits_it_as_http()
    {
        await using var app = await StartHotAsync();

        var response = await EvaluateAsync(app, "?dryRun=false");

        Assert.Equal(200, response.Status);
        Assert.Equal("applied", response.Body.GetProperty("actuation").GetProperty("outcome").GetString());
        Assert.Equal(3, await app.Actuator.GetCurrentSizeAsync(Stack, default));
        var audit = await app.Get<IAuditLog>().QueryAsync(Stack, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
        Assert.Equal(DecisionTrigger.Http, Assert.Single(audit).Trigger);
        Assert.NotNull((await app.Get<IStackStateStore>().LoadAsync(Stack, default)).Version);
    }

    [Theory]
    [InlineData("?dryRun=maybe", "dryRun must be true or false (was 'maybe')")]
    [InlineData("?dryRun=1", "dryRun must be true or false (was '1')")]
    [InlineData("?dryRun=true&dryRun=false", "dryRun is given 2 times")]
    public async Task A_bad_dry_run_flag_is_a_400_naming_it(string query, string expected)
    {
        await using var app = await StartHotAsync();

        var response = await EvaluateAsync(app, query);

        Assert.Equal(400, response.Status);
        Assert.True(response.IsProblem);
        Assert.Equal("dryRun", response.Body.GetProperty("field").GetString());
        Assert.Contains(expected, response.Detail);
        Assert.Empty(app.Actuator.Applied);
    }

    [Fact]
    public async Task Applying_while_the_lease_is_held_is_a_409_but_a_dry_run_still_answers()
    {
        await using var app = await StartHotAsync();
        await using var lease = await app.Get<IStackLock>().TryAcquireAsync(Stack, default);
        Assert.NotNull(lease);

        var apply = await EvaluateAsync(app, "?dryRun=false");
        var dryRun = await EvaluateAsync(app, "?dryRun=true");

        Assert.Equal(409, apply.Status);
        Assert.Equal("urn:ailbautoscaler:problem:stack-busy", apply.Type);
        Assert.Equal(200, dryRun.Status);
        Assert.Empty(app.Actuator.Applied);
    }

    [Fact]
    public async Task An_unknown_stack_is_a_404()
    {
        await using var app = await StartHotAsync();

        var response = await EvaluateAsync(app, "?dryRun=false", "missing");

        Assert.Equal(404, response.Status);
        Assert.Equal("urn:ailbautoscaler:problem:unknown-stack", response.Type);
    }

    [Fact]
    public async Task A_size_that_cannot_be_read_is_a_502_problem()
    {
        await using var app = await TestApp.StartWithActuatorAsync(new UnreachableActuatorStandIn());

        var response = await EvaluateAsync(app, "");

        Assert.Equal(502, response.Status);
        Assert.Equal("urn:ailbautoscaler:problem:decision-failed", response.Type);
        Assert.Contains("Could not read the current size of stack 'inference'", response.Detail);
    }

    /// <summary>The app with inference at size 2 and a GPU utilization of 0.6 against the default target of 0.45: ceil(2 × 0.6 / 0.45) = ceil(2.67) = 3.</summary>
    private static async Task<TestApp> StartHotAsync()
    {
        var app = await TestApp.StartAsync();
        app.Actuator.SetSize(Stack, 2);
        app.Metrics.Set(Stack, SignalReading.Of(SignalNames.GpuUtilization, 0.6, app.Time.GetUtcNow().AddSeconds(-30)));
        return app;
    }

    private static async Task<Response> EvaluateAsync(TestApp app, string query, string stack = Stack)
    {
        var request = TestApp.Post(null, query);
        return await TestApp.ExecuteAsync(await app.Get<ScalingFunctions>().EvaluateAsync(request, stack, default), request);
    }
}

/// <summary>A stand-in for an actuator whose backend cannot be reached: every call fails, as the port allows.</summary>
internal sealed class UnreachableActuatorStandIn : IFleetActuator
{
    public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) =>
        throw new HttpRequestException("connection refused");

    public Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken) =>
        throw new HttpRequestException("connection refused");
}
