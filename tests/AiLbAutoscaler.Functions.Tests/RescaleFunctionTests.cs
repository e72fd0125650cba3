using Microsoft.Extensions.DependencyInjection;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Functions.Functions;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Functions.Tests;

[Trait("Area", "Functions")]
public sealed class RescaleFunctionTests
{
    private const string Stack = "inference";

    [Theory]
    [InlineData("""{"targetSize": 4, "reason": "load test", "holdMinutes": 30}""", 4)]
    [InlineData("""{"targetSize": 7, "reason": "launch"}""", 7)]
    [InlineData("""{"targetSize": 3.0, "reason": "whole number written with a point", "holdMinutes": 0.5}""", 3)]
    public async Task A_valid_rescale_applies_the_size_and_returns_the_decision(string body, int expected)
    {
        await using var app = await TestApp.StartAsync();
        app.Actuator.SetSize(Stack, 2);

        var response = await RescaleAsync(app, body);

        Assert.Equal(200, response.Status);
        Assert.StartsWith("application/json", response.ContentType);
        Assert.Equal("completed", response.Body.GetProperty("outcome").GetString());
        Assert.Equal(expected, response.Body.GetProperty("decision").GetProperty("desiredSize").GetInt32());
        Assert.Equal("applied", response.Body.GetProperty("actuation").GetProperty("outcome").GetString());
        Assert.Equal(expected, await app.Actuator.GetCurrentSizeAsync(Stack, default));
    }

    [Fact]
    public async Task A_body_with_a_utf8_byte_order_mark_is_accepted()
    {
        await using var app = await TestApp.StartAsync();
        byte[] body = [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes("""{"targetSize": 4, "reason": "from PowerShell"}""")];
        var request = TestApp.Request("POST", body, "", declareLength: true);

        var response = await TestApp.ExecuteAsync(await app.Get<ScalingFunctions>().RescaleAsync(request, Stack, default), request);

        Assert.Equal(200, response.Status);
        Assert.Equal(4, await app.Actuator.GetCurrentSizeAsync(Stack, default));
    }

    [Fact]
    public async Task A_hold_pins_the_size_and_status_shows_the_override()
    {
        await using var app = await TestApp.StartAsync();

        await RescaleAsync(app, """{"targetSize": 5, "reason": "launch day", "holdMinutes": 90}""");
        var status = await TestApp.ExecuteAsync(
            await app.Get<StackQueryFunctions>().StatusAsync(TestApp.Get(), Stack, default), TestApp.Get());

        var pinned = status.Body.GetProperty("override");
        Assert.Equal(5, pinned.GetProperty("size").GetInt32());
        Assert.Equal("launch day", pinned.GetProperty("reason").GetString());
        Assert.Equal(TestApp.Start.AddMinutes(90), pinned.GetProperty("until").GetDateTimeOffset());
    }

    [Theory]
    [InlineData("{oops")]
    [InlineData("""{"targetSize": 4,}""")]
    [InlineData("targetSize=4")]
    [InlineData("")]
    [InlineData("   ")]
    public async Task A_body_that_is_not_json_is_a_400_problem_and_changes_nothing(string body)
    {
        await using var app = await TestApp.StartAsync();

        var response = await RescaleAsync(app, body);

        Assert.Equal(400, response.Status);
        Assert.True(response.IsProblem, response.ContentType);
        Assert.Equal("urn:ailbautoscaler:problem:not-json", response.Type);
        Assert.Equal(400, response.Body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(response.Body.GetProperty("title").GetString()));
        Assert.Contains(body.Trim().Length == 0 ? "empty" : "not valid JSON", response.Detail);
        await AssertNothingChangedAsync(app);
    }

    [Theory]
    [InlineData("""{"reason": "x"}""", "targetSize", "targetSize is required")]
    [InlineData("""{"targetSize": null, "reason": "x"}""", "targetSize", "targetSize is required")]
    [InlineData("""{"targetSize": -1, "reason": "x"}""", "targetSize", "must not be negative (was -1)")]
    [InlineData("""{"targetSize": 2.5, "reason": "x"}""", "targetSize", "whole number of instances (was 2.5)")]
    [InlineData("""{"targetSize": "3", "reason": "x"}""", "targetSize", "must be a JSON integer, not a string")]
    [InlineData("""{"targetSize": true, "reason": "x"}""", "targetSize", "must be a JSON integer, not a boolean")]
    [InlineData("""{"targetSize": 1e12, "reason": "x"}""", "targetSize", "far too large")]
    [InlineData("""{"targetSize": 3}""", "reason", "reason is required")]
    [InlineData("""{"targetSize": 3, "reason": "  "}""", "reason", "must not be blank")]
    [InlineData("""{"targetSize": 3, "reason": 12}""", "reason", "must be a JSON string")]
    [InlineData("""{"targetSize": 3, "reason": "x", "holdMinutes": -5}""", "holdMinutes", "0 or more minutes (was -5)")]
    [InlineData("""{"targetSize": 3, "reason": "x", "holdMinutes": "30"}""", "holdMinutes", "must be a JSON number of minutes")]
    [InlineData("""{"targetSize": 3, "reason": "x", "size": 4}""", "size", "size is not a known field")]
    [InlineData("""{"TargetSize": 3, "reason": "x"}""", "TargetSize", "case-sensitive")]
    [InlineData("""{"targetSize": 3, "targetSize": 4, "reason": "x"}""", "targetSize", "appears more than once")]
    [InlineData("""[3]""", "$", "must be a JSON object")]
    [InlineData("""42""", "$", "must be a JSON object")]
    public async Task A_bad_field_is_a_400_problem_naming_the_field_and_changes_nothing(string body, string field, string expected)
    {
        await using var app = await TestApp.StartAsync();

        var response = await RescaleAsync(app, body);

        Assert.Equal(400, response.Status);
        Assert.True(response.IsProblem, response.ContentType);
        Assert.Equal("urn:ailbautoscaler:problem:invalid-request", response.Type);
        Assert.Contains(response.ErrorsFor(field), m => m.Contains(expected, StringComparison.Ordinal));
        Assert.Contains(expected, response.Detail);
        await AssertNothingChangedAsync(app);
    }

    [Fact]
    public async Task Every_bad_field_is_reported_at_once()
    {
        await using var app = await TestApp.StartAsync();

        var response = await RescaleAsync(app, """{"targetSize": -2, "holdMinutes": "soon", "extra": 1}""");

        Assert.Equal(400, response.Status);
        Assert.Equal(["extra", "holdMinutes", "reason", "targetSize"],
            response.Body.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.False(response.Body.TryGetProperty("field", out _), "field is only set when exactly one field is wrong");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(0)]
    public async Task A_size_outside_the_bounds_is_a_400_that_names_the_bounds(int size)
    {
        await using var app = await TestApp.StartAsync();

        var response = await RescaleAsync(app, $$"""{"targetSize": {{size}}, "reason": "x"}""");

        Assert.Equal(400, response.Status);
        Assert.True(response.IsProblem);
        Assert.Equal("targetSize", response.Body.GetProperty("field").GetString());
        Assert.Contains($"targetSize {size} is outside the stack's bounds [1, 10]", response.Detail);
        await AssertNothingChangedAsync(app);
    }

    [Fact]
    public async Task A_hold_longer_than_the_maximum_is_a_400_naming_holdMinutes()
    {
        var settings = TestApp.DefaultSettings();
        settings["Autoscaler:MaxHoldMinutes"] = "60";
        await using var app = await TestApp.StartAsync(settings);

        var response = await RescaleAsync(app, """{"targetSize": 3, "reason": "x", "holdMinutes": 61}""");

        Assert.Equal(400, response.Status);
        Assert.Equal("holdMinutes", response.Body.GetProperty("field").GetString());
        Assert.Contains("[0, 60]", response.Detail);
        await AssertNothingChangedAsync(app);
    }

    [Fact]
    public async Task An_unknown_stack_is_a_404_problem()
    {
        await using var app = await TestApp.StartAsync();

        var response = await RescaleAsync(app, """{"targetSize": 3, "reason": "x"}""", stack: "nope");

        Assert.Equal(404, response.Status);
        Assert.True(response.IsProblem);
        Assert.Equal("urn:ailbautoscaler:problem:unknown-stack", response.Type);
        Assert.Equal("nope", response.Body.GetProperty("stack").GetString());
        Assert.Contains("Unknown stack 'nope'", response.Detail);
        Assert.Empty(app.Actuator.Applied);
    }

    [Fact]
    public async Task An_oversized_body_is_a_413_problem_before_it_is_parsed()
    {
        await using var app = await TestApp.StartAsync();
        var body = $$"""{"targetSize": 3, "reason": "{{new string('x', 17 * 1024)}}"}""";

        var response = await RescaleAsync(app, body);

        Assert.Equal(413, response.Status);
        Assert.True(response.IsProblem);
        Assert.Equal("urn:ailbautoscaler:problem:body-too-large", response.Type);
        Assert.Equal(16 * 1024, response.Body.GetProperty("limitBytes").GetInt32());
        Assert.Contains("Autoscaler:Http:MaxBodyBytes", response.Detail);
        await AssertNothingChangedAsync(app);
    }

    [Fact]
    public async Task An_oversized_body_without_a_content_length_is_cut_off_while_reading()
    {
        var settings = TestApp.DefaultSettings();
        settings["Autoscaler:Http:MaxBodyBytes"] = "1024";
        await using var app = await TestApp.StartAsync(settings);
        var bytes = System.Text.Encoding.UTF8.GetBytes($$"""{"targetSize": 3, "reason": "{{new string('x', 1100)}}"}""");
        var request = TestApp.Request("POST", bytes, "", declareLength: false);

        var response = await TestApp.ExecuteAsync(
            await app.Get<ScalingFunctions>().RescaleAsync(request, Stack, default), request);

        Assert.Equal(413, response.Status);
        Assert.Equal(1024, response.Body.GetProperty("limitBytes").GetInt32());
        await AssertNothingChangedAsync(app);
    }

    [Fact]
    public async Task A_rescale_while_another_update_holds_the_lease_is_a_409_and_changes_nothing()
    {
        await using var app = await TestApp.StartAsync();
        app.Actuator.SetSize(Stack, 2);

        await using (var lease = await app.Get<IStackLock>().TryAcquireAsync(Stack, default))
        {
            Assert.NotNull(lease);
            var busy = await RescaleAsync(app, """{"targetSize": 4, "reason": "x"}""");

            Assert.Equal(409, busy.Status);
            Assert.True(busy.IsProblem);
            Assert.Equal("urn:ailbautoscaler:problem:stack-busy", busy.Type);
            Assert.Contains("Another update of stack 'inference' is in progress", busy.Detail);
            await AssertNothingChangedAsync(app, size: 2);
        }

        var afterwards = await RescaleAsync(app, """{"targetSize": 4, "reason": "x"}""");
        Assert.Equal(200, afterwards.Status);
    }

    [Theory]
    [InlineData(ActuationOutcome.Failed, 502, "actuation-failed")]
    [InlineData(ActuationOutcome.Busy, 409, "stack-busy")]
    public async Task An_apply_that_does_not_happen_is_a_problem_that_carries_the_decision(ActuationOutcome outcome, int status, string type)
    {
        await using var app = await TestApp.StartAsync();
        app.Actuator.SetSize(Stack, 2);
        app.Actuator.FailNext(outcome);

        var response = await RescaleAsync(app, """{"targetSize": 4, "reason": "x"}""");

        Assert.Equal(status, response.Status);
        Assert.Equal("urn:ailbautoscaler:problem:" + type, response.Type);
        var result = response.Body.GetProperty("result");
        Assert.Equal(4, result.GetProperty("decision").GetProperty("desiredSize").GetInt32());
        Assert.Equal(outcome.ToString().ToLowerInvariant(), result.GetProperty("actuation").GetProperty("outcome").GetString());
        Assert.Equal(2, await app.Actuator.GetCurrentSizeAsync(Stack, default));
    }

    [Fact]
    public async Task An_unexpected_failure_is_a_logged_500_that_shows_no_internals()
    {
        await using var app = await TestApp.StartAsync(services =>
            services.AddSingleton<IStackStateStore>(new StateStoreThatThrowsStandIn("AccountKey=c2VjcmV0 rejected")));

        var response = await RescaleAsync(app, """{"targetSize": 3, "reason": "x"}""");

        Assert.Equal(500, response.Status);
        Assert.Equal("urn:ailbautoscaler:problem:internal-error", response.Type);
        Assert.DoesNotContain("AccountKey", response.Text, StringComparison.Ordinal);
        Assert.Contains(app.Log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error
            && e.Message == "Rescale of stack inference failed" && e.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task Unreachable_storage_is_a_503_that_names_no_secret()
    {
        // The real Azure Storage adapter, pointed at a loopback port where nothing listens.
        const string key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
        var settings = TestApp.DefaultSettings();
        settings["Autoscaler:Storage:Enabled"] = "true";
        settings["Autoscaler:Storage:ConnectionString"] =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};" +
            "BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";
        settings["Autoscaler:Storage:MaxRetries"] = "0";
        settings["Autoscaler:Storage:RequestTimeoutSeconds"] = "2";
        settings["Autoscaler:Dispatch"] = "Inline"; // HTTP never goes through the queue
        await using var app = await TestApp.StartAsync(settings);

        var response = await RescaleAsync(app, """{"targetSize": 3, "reason": "x"}""");

        Assert.Equal(503, response.Status);
        Assert.Equal("urn:ailbautoscaler:problem:storage-unavailable", response.Type);
        Assert.DoesNotContain(key, response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Log.Entries, e => (e.Message + e.Exception).Contains(key, StringComparison.Ordinal));
    }

    private static async Task<Response> RescaleAsync(TestApp app, string body, string stack = Stack)
    {
        var request = TestApp.Post(body);
        return await TestApp.ExecuteAsync(await app.Get<ScalingFunctions>().RescaleAsync(request, stack, default), request);
    }

    private static async Task AssertNothingChangedAsync(TestApp app, int size = 1)
    {
        Assert.Empty(app.Actuator.Applied);
        Assert.Equal(size, await app.Actuator.GetCurrentSizeAsync(Stack, default));
        var state = await app.Get<IStackStateStore>().LoadAsync(Stack, default);
        Assert.Null(state.Version);
        var audit = await app.Get<IAuditLog>().QueryAsync(Stack, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, default);
        Assert.Empty(audit);
    }
}

/// <summary>A stand-in for a state store that fails in a way the port does not describe.</summary>
internal sealed class StateStoreThatThrowsStandIn(string message) : IStackStateStore
{
    public Task<AiLbAutoscaler.Core.State.VersionedStackState> LoadAsync(string stack, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(message);

    public Task<string> SaveAsync(string stack, AiLbAutoscaler.Core.State.StackState state, string? expectedVersion, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(message);
}
