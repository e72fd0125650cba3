using System.Net;
using System.Text.Json;
using AiLbAutoscaler.Functions.HostTests.Rpc;

namespace AiLbAutoscaler.Functions.HostTests;

/// <summary>Settings for a worker: the local.settings.json Values a developer would have, in-memory adapters.</summary>
internal static class WorkerSettings
{
    public static Dictionary<string, string> InMemory() => new()
    {
        ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        ["AUTOSCALER_SCHEDULE"] = "0 */1 * * * *",
        ["AUTOSCALER_PRUNE_SCHEDULE"] = "0 30 3 * * *",
        ["AUTOSCALER_TICK_QUEUE"] = "autoscaler-ticks",
        ["Autoscaler__Metrics__Source"] = "InMemory",
        ["Autoscaler__Actuator"] = "InMemory",
        ["Autoscaler__Storage__Enabled"] = "false",
        ["Autoscaler__Stacks__inference__Policy__MinSize"] = "1",
        ["Autoscaler__Stacks__inference__Policy__MaxSize"] = "10",
        ["Autoscaler__Stacks__batch__Policy__MinSize"] = "2",
        ["Autoscaler__Stacks__batch__Policy__MaxSize"] = "6",
    };
}

/// <summary>One in-memory worker shared by the tests of a class (a worker start costs a few seconds).</summary>
public sealed class InMemoryWorker : IAsyncLifetime
{
    public FunctionsHostStandIn Host { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Host = await FunctionsHostStandIn.StartAsync(FunctionsHostStandIn.PrepareAppDirectory(WorkerSettings.InMemory()));

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// The real AiLbAutoscaler.Functions.dll, started as a worker process by <see cref="FunctionsHostStandIn"/> and driven
/// over the FunctionRpc protocol: indexing, timer and HTTP invocations through the ASP.NET Core integration.
/// </summary>
[Trait("Area", "FunctionsHost")]
public sealed class WorkerProcessTests(InMemoryWorker worker) : IClassFixture<InMemoryWorker>
{
    private FunctionsHostStandIn Host => worker.Host;

    [Fact]
    public void The_worker_reports_every_function_with_the_bindings_of_functions_metadata()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsHostStandIn.WorkerDirectory, "functions.metadata")));
        var expected = file.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone());

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), Host.Functions.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, function) in Host.Functions)
        {
            var file1 = expected[name];
            Assert.Equal(file1.GetProperty("entryPoint").GetString(), function.EntryPoint);
            Assert.Equal(file1.GetProperty("scriptFile").GetString(), function.ScriptFile);
            Assert.Equal("dotnet-isolated", function.Language);
            Assert.False(string.IsNullOrEmpty(function.FunctionId), name);

            var fileBindings = file1.GetProperty("bindings").EnumerateArray()
                .Select(b => (Name: b.GetProperty("name").GetString()!, Type: b.GetProperty("type").GetString()!, Direction: b.GetProperty("direction").GetString()!.ToLowerInvariant()))
                .OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
            var reported = function.Bindings
                .Select(b => (Name: b.Key, b.Value.Type, Direction: b.Value.Direction.ToString().ToLowerInvariant()))
                .OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
            Assert.Equal(fileBindings, reported);

            // The raw bindings carry the trigger's settings (schedule, route, methods, authLevel) as the file does.
            foreach (var raw in function.RawBindings.Select(r => JsonDocument.Parse(r).RootElement))
            {
                var same = file1.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("name").GetString() == raw.GetProperty("name").GetString());
                foreach (var key in new[] { "schedule", "route", "authLevel" })
                {
                    Assert.Equal(same.TryGetProperty(key, out var v) ? v.GetString() : null, raw.TryGetProperty(key, out var w) ? w.GetString() : null);
                }
            }
        }
    }

    [Fact]
    public void The_worker_advertises_its_http_endpoint_on_loopback()
    {
        var uri = new Uri(Host.Capabilities["HttpUri"]);

        Assert.True(uri.IsLoopback, uri.ToString());
        Assert.Equal("True", Host.Capabilities["RpcHttpBodyOnly"]);
    }

    [Fact]
    public async Task Rescale_applies_a_good_request_and_answers_a_bad_one_with_problem_json()
    {
        var (good, invocation) = await Host.SendHttpAsync(HttpMethod.Post, "/api/stacks/inference/rescale", """{"targetSize": 4, "reason": "load test", "holdMinutes": 30}""");
        Assert.True(invocation.Succeeded, invocation.Describe());
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.StartsWith("application/json", good.Content.Headers.ContentType!.ToString());
        using (var body = await JsonAsync(good))
        {
            Assert.Equal("completed", body.RootElement.GetProperty("outcome").GetString());
            Assert.Equal(4, body.RootElement.GetProperty("decision").GetProperty("desiredSize").GetInt32());
            Assert.Equal("applied", body.RootElement.GetProperty("actuation").GetProperty("outcome").GetString());
        }

        var (bad, _) = await Host.SendHttpAsync(HttpMethod.Post, "/api/stacks/inference/rescale", "{oops");
        await AssertProblemAsync(bad, 400, "urn:ailbautoscaler:problem:not-json");
    }

    [Fact]
    public async Task Evaluate_answers_a_dry_run_and_rejects_a_bad_flag()
    {
        var size = await CurrentSizeAsync("batch");

        var (good, invocation) = await Host.SendHttpAsync(HttpMethod.Post, "/api/stacks/batch/evaluate?dryRun=true");
        Assert.True(invocation.Succeeded, invocation.Describe());
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        using (var body = await JsonAsync(good))
        {
            // batch is bounded to [2, 6] and has no metrics: the decision is the bound, and a dry run applies nothing.
            var decision = body.RootElement.GetProperty("decision");
            Assert.Equal(size, decision.GetProperty("currentSize").GetInt32());
            Assert.Equal(Math.Clamp(size, 2, 6), decision.GetProperty("desiredSize").GetInt32());
            Assert.Equal(size == Math.Clamp(size, 2, 6) ? "skipped" : "dryRun", body.RootElement.GetProperty("actuation").GetProperty("outcome").GetString());
        }

        Assert.Equal(size, await CurrentSizeAsync("batch"));

        var (bad, _) = await Host.SendHttpAsync(HttpMethod.Post, "/api/stacks/batch/evaluate?dryRun=maybe");
        using var problem = await AssertProblemAsync(bad, 400, null);
        Assert.Contains("dryRun must be true or false (was 'maybe')", problem.RootElement.ToString());
    }

    [Fact]
    public async Task Status_reports_a_known_stack_and_404s_an_unknown_one()
    {
        var (rescale, _) = await Host.SendHttpAsync(HttpMethod.Post, "/api/stacks/inference/rescale", """{"targetSize": 5, "reason": "status check", "holdMinutes": 10}""");
        Assert.Equal(HttpStatusCode.OK, rescale.StatusCode);

        var (good, invocation) = await Host.SendHttpAsync(HttpMethod.Get, "/api/stacks/inference/status");
        Assert.True(invocation.Succeeded, invocation.Describe());
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        using (var body = await JsonAsync(good))
        {
            Assert.Equal("inference", body.RootElement.GetProperty("stack").GetString());
            Assert.Equal(5, body.RootElement.GetProperty("currentSize").GetInt32());
            Assert.Equal("http", body.RootElement.GetProperty("recentDecisions")[0].GetProperty("trigger").GetString());
            Assert.Equal(5, body.RootElement.GetProperty("override").GetProperty("size").GetInt32());
        }

        var (bad, _) = await Host.SendHttpAsync(HttpMethod.Get, "/api/stacks/ghost/status");
        await AssertProblemAsync(bad, 404, "urn:ailbautoscaler:problem:unknown-stack");
    }

    [Fact]
    public async Task History_returns_the_audit_records_and_rejects_a_bad_limit()
    {
        var (rescale, _) = await Host.SendHttpAsync(HttpMethod.Post, "/api/stacks/inference/rescale", """{"targetSize": 3, "reason": "history check", "holdMinutes": 10}""");
        Assert.Equal(HttpStatusCode.OK, rescale.StatusCode);

        var (good, invocation) = await Host.SendHttpAsync(HttpMethod.Get, "/api/stacks/inference/history?limit=1000");
        Assert.True(invocation.Succeeded, invocation.Describe());
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        using (var body = await JsonAsync(good))
        {
            Assert.Equal(1000, body.RootElement.GetProperty("limit").GetInt32());
            Assert.Contains(body.RootElement.GetProperty("records").EnumerateArray(),
                r => r.GetProperty("decision").GetProperty("desiredSize").GetInt32() == 3
                     && r.GetProperty("trigger").GetString() == "http");
        }

        var (bad, _) = await Host.SendHttpAsync(HttpMethod.Get, "/api/stacks/inference/history?limit=0");
        using var problem = await AssertProblemAsync(bad, 400, null);
        Assert.Contains("limit must be a whole number in [1, 1000]",
            problem.RootElement.GetProperty("errors").GetProperty("limit")[0].GetString());
    }

    [Fact]
    public async Task A_rescale_without_a_hold_applies_the_size_under_real_time()
    {
        var (response, _) = await Host.SendHttpAsync(HttpMethod.Post, "/api/stacks/inference/rescale", """{"targetSize": 7, "reason": "launch"}""");

        using var body = await JsonAsync(response);
        Assert.Equal(7, body.RootElement.GetProperty("decision").GetProperty("desiredSize").GetInt32());
    }

    private async Task<int> CurrentSizeAsync(string stack)
    {
        var (status, _) = await Host.SendHttpAsync(HttpMethod.Get, $"/api/stacks/{stack}/status");
        using var body = await JsonAsync(status);
        return body.RootElement.GetProperty("currentSize").GetInt32();
    }

    // Shared with the other worker tests.
    internal static async Task<JsonDocument> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync());

    internal static async Task<JsonDocument> AssertProblemAsync(HttpResponseMessage response, int status, string? type)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType!.ToString());
        var body = await JsonAsync(response);
        Assert.Equal(status, body.RootElement.GetProperty("status").GetInt32());
        if (type is not null)
        {
            Assert.Equal(type, body.RootElement.GetProperty("type").GetString());
        }

        return body;
    }
}
