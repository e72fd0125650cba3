using AiLbAutoscaler.Core.Routing;
using System.Text;
using System.Text.Json;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Tests.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>
/// The Functions app's container, built the way Program.cs builds it (AddAutoscalerAdapters + AddAutoscalerCore + AddAutoscalerFunctions + AddAutoscalerOpenTelemetry over
/// app settings), with in-memory configuration, a fake clock and a log that tests can read. Started, so every
/// startup validation has run.
/// </summary>
internal sealed class TestApp : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private TestApp(IHost host, TimeProvider time, CapturedLog log)
    {
        Host = host;
        Clock = time;
        Log = log;
    }

    public IHost Host { get; }

    /// <summary>The app's clock: a <see cref="FakeTimeProvider"/> unless started with <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Clock { get; }

    public FakeTimeProvider Time => Clock as FakeTimeProvider ?? throw new InvalidOperationException("This app runs on the real clock.");

    public CapturedLog Log { get; }

    public InMemoryFleetActuator Actuator => (InMemoryFleetActuator)Host.Services.GetRequiredKeyedService<IFleetActuator>(AdapterNames.InMemory);

    public InMemoryMetricsSource Metrics => (InMemoryMetricsSource)Host.Services.GetRequiredKeyedService<IMetricsSource>(AdapterNames.InMemory);

    /// <summary>Two stacks: inference in [1, 10] and batch in [2, 6], both with the default signals.</summary>
    public static Dictionary<string, string?> DefaultSettings() => new()
    {
        ["AUTOSCALER_SCHEDULE"] = "0 */1 * * * *",
        ["AUTOSCALER_PRUNE_SCHEDULE"] = "0 30 3 * * *",
        ["AUTOSCALER_TICK_QUEUE"] = "autoscaler-ticks",
        ["Autoscaler:Stacks:inference:Policy:MinSize"] = "1",
        ["Autoscaler:Stacks:inference:Policy:MaxSize"] = "10",
        ["Autoscaler:Stacks:batch:Policy:MinSize"] = "2",
        ["Autoscaler:Stacks:batch:Policy:MaxSize"] = "6",
    };

    public static Task<TestApp> StartAsync(Action<IServiceCollection>? services = null) =>
        StartAsync(DefaultSettings(), services);

    /// <summary>The app with every stack on <paramref name="actuator"/>, registered and selected as the adapter named TestStandIn.</summary>
    public static Task<TestApp> StartWithActuatorAsync(IFleetActuator actuator, Dictionary<string, string?>? settings = null)
    {
        settings ??= DefaultSettings();
        settings["Autoscaler:Actuator"] = "TestStandIn";
        return StartAsync(settings, services => services.AddFleetActuatorAdapter("TestStandIn", _ => actuator));
    }

    public static async Task<TestApp> StartAsync(Dictionary<string, string?> settings, Action<IServiceCollection>? services = null, TimeProvider? clock = null)
    {
        var time = clock ?? new FakeTimeProvider(Start);
        var log = new CapturedLog();
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddProvider(log);
        builder.Services.AddSingleton<TimeProvider>(time);
        services?.Invoke(builder.Services);
        builder.Services.AddAutoscalerAdapters(builder.Configuration);
        builder.Services.AddAutoscalerCore(builder.Configuration);
        builder.Services.AddAutoscalerFunctions(builder.Configuration);
        builder.Services.AddAutoscalerOpenTelemetry(builder.Configuration);
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new TestApp(host, time, log);
    }

    public T Get<T>()
        where T : notnull => Host.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }

    public static HttpRequest Post(string? json, string query = "") =>
        Request("POST", json is null ? [] : Encoding.UTF8.GetBytes(json), query, declareLength: true);

    public static HttpRequest Get(string query = "") => Request("GET", [], query, declareLength: false);

    public static HttpRequest Request(string method, byte[] body, string query, bool declareLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = declareLength ? body.Length : null;
        context.Request.ContentType = "application/json";
        context.Request.QueryString = new QueryString(query);
        context.Response.Body = new MemoryStream();
        return context.Request;
    }

    /// <summary>Runs an action result the way the Functions host does, and reads back what it wrote.</summary>
    public static async Task<Response> ExecuteAsync(IActionResult result, HttpRequest request)
    {
        var context = request.HttpContext;
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        using var reader = new StreamReader(context.Response.Body);
        var text = await reader.ReadToEndAsync();
        return new Response(context.Response.StatusCode, context.Response.ContentType ?? "", text, JsonDocument.Parse(text).RootElement.Clone());
    }
}

internal sealed record Response(int Status, string ContentType, string Text, JsonElement Body)
{
    public bool IsProblem => ContentType.StartsWith("application/problem+json", StringComparison.Ordinal);

    public string? Type => Body.TryGetProperty("type", out var t) ? t.GetString() : null;

    public string Detail => Body.GetProperty("detail").GetString() ?? "";

    /// <summary>The messages of one field in the problem's <c>errors</c> map.</summary>
    public string[] ErrorsFor(string field) =>
        Body.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out var list)
            ? list.EnumerateArray().Select(e => e.GetString() ?? "").ToArray()
            : [];
}
