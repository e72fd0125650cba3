using System.Text;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Functions.Functions;
using Microsoft.Extensions.DependencyInjection;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>The HTTP boundary defects of issue 9 (7, 8, 9) and the apply deadline (6), each reproduced as found.</summary>
[Trait("Area", "Functions")]
public sealed class BoundaryDefectTests
{
    private const string Stack = "inference";

    [Theory]
    [InlineData("{\"targetSize\": 3, \"reason\": \"x\\ud800y\"}", "reason")]
    [InlineData("{\"targetSize\": 3, \"reason\": \"x\", \"a\\udc00\": 1}", "$")]
    public async Task A_lone_surrogate_is_a_400_naming_the_field(string body, string field)
    {
        await using var app = await TestApp.StartAsync();

        var response = await RescaleAsync(app, Encoding.UTF8.GetBytes(body));

        Assert.Equal(400, response.Status);
        Assert.True(response.IsProblem);
        Assert.NotEmpty(response.ErrorsFor(field));
        Assert.Empty(app.Actuator.Applied);
    }

    [Fact]
    public async Task Invalid_utf8_is_a_400_naming_the_body()
    {
        await using var app = await TestApp.StartAsync();

        var response = await RescaleAsync(app, [.. "{\"targetSize\": 3, \"reason\": \""u8, 0xFF, 0xFE, .. "\"}"u8]);

        Assert.Equal(400, response.Status);
        Assert.True(response.IsProblem);
        Assert.Equal("body", response.Body.GetProperty("field").GetString());
        Assert.Empty(app.Actuator.Applied);
    }

    [Fact]
    public async Task A_history_window_that_would_start_before_year_one_is_a_400_naming_to()
    {
        await using var app = await TestApp.StartAsync();
        var request = TestApp.Get("?to=0001-01-01T00:00:00Z");

        var response = await TestApp.ExecuteAsync(await app.Get<StackQueryFunctions>().HistoryAsync(request, Stack, default), request);

        Assert.Equal(400, response.Status);
        Assert.Equal("to", response.Body.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_rescale_whose_current_size_cannot_be_read_is_a_502_like_evaluate()
    {
        await using var app = await TestApp.StartWithActuatorAsync(new BlindActuatorStandIn());

        var response = await RescaleAsync(app, """{"targetSize": 3, "reason": "x"}"""u8.ToArray());

        Assert.Equal(502, response.Status);
        Assert.Equal("urn:ailbautoscaler:problem:decision-failed", response.Type);
        Assert.Contains("current size", response.Detail);
    }

    [Theory]
    [InlineData("3.0000000000000001")]
    [InlineData("3.00000000000000000000000000000001")]
    [InlineData("2.9999999999999999")]
    public async Task A_number_that_only_rounds_to_a_whole_one_is_refused(string number)
    {
        await using var app = await TestApp.StartAsync();

        var response = await RescaleAsync(app, Encoding.UTF8.GetBytes($$"""{"targetSize": {{number}}, "reason": "x"}"""));

        Assert.Equal(400, response.Status);
        Assert.Equal("targetSize", response.Body.GetProperty("field").GetString());
        Assert.Empty(app.Actuator.Applied);
    }

    [Theory]
    [InlineData("two\\nlines")]
    [InlineData("forged\\n[Error] pwned")]
    [InlineData("nul\\u0000")]
    [InlineData("esc\\u001b[31m")]
    [InlineData("bel\\u0007")]
    [InlineData("c1\\u0085")]
    public async Task A_control_character_in_the_reason_is_refused_and_never_logged(string reason)
    {
        await using var app = await TestApp.StartAsync();

        var response = await RescaleAsync(app, Encoding.UTF8.GetBytes($$"""{"targetSize": 3, "reason": "{{reason}}"}"""));

        Assert.Equal(400, response.Status);
        Assert.Equal("reason", response.Body.GetProperty("field").GetString());
        Assert.Contains("control character", response.Detail);
        Assert.DoesNotContain(app.Log.Entries, e => e.Message.Any(c => char.IsControl(c)));
        Assert.Empty(app.Actuator.Applied);
    }

    // Defect 6: the apply outlives no deadline of the controller's own.
    [Fact]
    public async Task A_stuck_apply_is_cancelled_at_the_apply_deadline_recorded_pending_and_the_lease_released()
    {
        var settings = TestApp.DefaultSettings();
        settings["Autoscaler:ApplyTimeoutSeconds"] = "30";
        settings["Autoscaler:TickTimeoutSeconds"] = "60";
        var stuck = new StuckActuatorStandIn();
        await using var app = await TestApp.StartWithActuatorAsync(stuck, settings);
        var request = TestApp.Post("""{"targetSize": 4, "reason": "x"}""");

        var call = app.Get<ScalingFunctions>().RescaleAsync(request, Stack, default);
        await stuck.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        app.Time.Advance(TimeSpan.FromSeconds(31));
        var response = await TestApp.ExecuteAsync(await call.WaitAsync(TimeSpan.FromSeconds(10)), request);

        Assert.Equal(502, response.Status);
        Assert.Contains("deadline", response.Detail);
        Assert.True(stuck.SawCancellation);
        var state = (await app.Get<IStackStateStore>().LoadAsync(Stack, default)).State;
        Assert.Equal(4, state.PendingDesiredSize);
        await using var lease = await app.Get<IStackLock>().TryAcquireAsync(Stack, default);
        Assert.NotNull(lease);
    }

    private static async Task<Response> RescaleAsync(TestApp app, byte[] body)
    {
        var request = TestApp.Request("POST", body, "", declareLength: true);
        return await TestApp.ExecuteAsync(await app.Get<ScalingFunctions>().RescaleAsync(request, Stack, default), request);
    }
}

/// <summary>A stand-in actuator that cannot read the current size (the stack's outputs are unreadable).</summary>
internal sealed class BlindActuatorStandIn : IFleetActuator
{
    public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("pulumi stack output failed");

    public Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("must not apply without a current size");
}

/// <summary>A stand-in for a <c>pulumi up</c> that never finishes until cancelled.</summary>
internal sealed class StuckActuatorStandIn : IFleetActuator
{
    private readonly InMemoryFleetActuator _sizes = new(initialSize: 1);

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool SawCancellation { get; private set; }

    public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) => _sizes.GetCurrentSizeAsync(stack, cancellationToken);

    public async Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken)
    {
        Started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            SawCancellation = true;
            throw;
        }

        return new ActuationResult(ActuationOutcome.Applied);
    }
}

[Trait("Area", "Functions")]
public sealed class DeadlineSettingsTests
{
    [Fact]
    public void The_longest_tick_deadline_is_under_the_hosts_function_timeout()
    {
        using var host = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AiLbAutoscaler.Tests.Shared.RepositoryRoot.Path, "host.json")));
        var functionTimeout = TimeSpan.Parse(host.RootElement.GetProperty("functionTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(TimeSpan.FromSeconds(Core.Controller.AutoscalerOptionsValidator.MaxTickTimeoutSeconds) < functionTimeout);
        var defaults = new Core.Controller.AutoscalerOptions();
        Assert.True(defaults.ApplyTimeout < defaults.TickTimeout && defaults.TickTimeout < functionTimeout);
    }
}
