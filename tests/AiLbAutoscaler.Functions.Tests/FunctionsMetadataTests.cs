using System.Text.Json;
using AiLbAutoscaler.Functions.Dispatch;
using AiLbAutoscaler.Functions.Functions;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>
/// Reads the functions.metadata that the Functions SDK generates at build time (the file the host indexes the app by),
/// and checks every trigger against what the API promises.
/// </summary>
[Trait("Area", "Functions")]
public sealed class FunctionsMetadataTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Functions = new(Load);

    [Fact]
    public void The_app_declares_exactly_the_expected_functions()
    {
        Assert.Equal(
            ["Autoscale", "Evaluate", "History", "PruneAudit", "Rescale", "Status", "TickStack"],
            Functions.Value.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Autoscale", "%AUTOSCALER_SCHEDULE%")]
    [InlineData("PruneAudit", "%AUTOSCALER_PRUNE_SCHEDULE%")]
    public void Timer_functions_take_their_schedule_from_an_app_setting(string name, string schedule)
    {
        var trigger = Trigger(name);

        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(schedule, trigger.GetProperty("schedule").GetString());
    }

    [Fact]
    public void TickStack_is_triggered_by_the_tick_queue_named_by_an_app_setting_on_the_apps_own_storage()
    {
        var trigger = Trigger("TickStack");

        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("In", trigger.GetProperty("direction").GetString());
        Assert.Equal("%AUTOSCALER_TICK_QUEUE%", trigger.GetProperty("queueName").GetString());

        // No connection means AzureWebJobsStorage, the account the worker's TickQueueOptions enqueues to.
        Assert.False(trigger.TryGetProperty("connection", out var connection) && connection.GetString() is { Length: > 0 },
            "TickStack must listen on AzureWebJobsStorage, where the timer enqueues");
        Assert.Single(Functions.Value["TickStack"].GetProperty("bindings").EnumerateArray());
    }

    [Fact]
    public void The_queue_trigger_extension_is_in_the_hosts_extension_list()
    {
        var path = Path.Combine(AppFolder(), "extensions.json");
        Assert.True(File.Exists(path), $"extensions.json is missing from {AppFolder()}; the Functions SDK writes it when a trigger extension is referenced.");
        using var extensions = JsonDocument.Parse(File.ReadAllText(path));

        Assert.Contains(extensions.RootElement.GetProperty("extensions").EnumerateArray(),
            e => e.GetProperty("typeName").GetString()!.Contains("Microsoft.Azure.WebJobs.Extensions.Storage.Queues", StringComparison.Ordinal));
    }

    [Fact]
    public void The_host_json_sets_the_queue_triggers_batch_threshold_and_tries()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppFolder(), "host.json")));
        var queues = host.RootElement.GetProperty("extensions").GetProperty("queues");
        foreach (var name in new[] { "batchSize", "newBatchThreshold", "maxDequeueCount", "visibilityTimeout", "maxPollingInterval", "messageEncoding" })
        {
            Assert.True(queues.TryGetProperty(name, out _), $"host.json extensions.queues.{name} is not set");
        }

        var settings = QueueHostSettings.Load(Path.Combine(AppFolder(), "host.json"));
        Assert.Equal(queues.GetProperty("batchSize").GetInt32(), settings.BatchSize);
        Assert.Equal(queues.GetProperty("newBatchThreshold").GetInt32(), settings.NewBatchThreshold);
        Assert.Equal(queues.GetProperty("maxDequeueCount").GetInt32(), settings.MaxDequeueCount);
        Assert.Equal("base64", queues.GetProperty("messageEncoding").GetString());
    }

    [Theory]
    [InlineData("Rescale", "post", "stacks/{stack}/rescale")]
    [InlineData("Evaluate", "post", "stacks/{stack}/evaluate")]
    [InlineData("Status", "get", "stacks/{stack}/status")]
    [InlineData("History", "get", "stacks/{stack}/history")]
    public void Http_functions_have_their_route_method_and_function_auth_level(string name, string method, string route)
    {
        var trigger = Trigger(name);

        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant()));
        Assert.Equal("function", trigger.GetProperty("authLevel").GetString()!.ToLowerInvariant());
        var output = Functions.Value[name].GetProperty("bindings").EnumerateArray()
            .Single(b => b.GetProperty("direction").GetString() == "Out");
        Assert.Equal("http", output.GetProperty("type").GetString());
    }

    [Fact]
    public void The_host_json_beside_the_app_sets_the_api_route_prefix()
    {
        var path = Path.Combine(AppFolder(), "host.json");
        Assert.True(File.Exists(path), $"host.json is missing from {AppFolder()}; the Functions csproj links the top-level host.json into the output.");
        using var host = JsonDocument.Parse(File.ReadAllText(path));

        Assert.Equal("2.0", host.RootElement.GetProperty("version").GetString());
        Assert.Equal("api", host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    private static JsonElement Trigger(string name) =>
        Functions.Value[name].GetProperty("bindings").EnumerateArray()
            .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    private static string AppFolder() => Path.GetDirectoryName(typeof(TimerFunctions).Assembly.Location)!;

    private static Dictionary<string, JsonElement> Load()
    {
        var path = Path.Combine(AppFolder(), "functions.metadata");
        Assert.True(File.Exists(path),
            $"functions.metadata was not found next to the Functions assembly ({path}). The Functions SDK writes it at build time; build tests/AiLbAutoscaler.Functions.Tests.");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone());
    }
}
