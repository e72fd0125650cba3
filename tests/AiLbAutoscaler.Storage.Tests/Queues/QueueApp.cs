using System.Collections.Concurrent;
using AiLbAutoscaler.Adapters.AzureStorage.Queues;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Functions.Dispatch;
using AiLbAutoscaler.Functions.Functions;
using AiLbAutoscaler.Storage.Tests.Azurite;
using AiLbAutoscaler.Tests.Shared;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Storage.Tests.Queues;

/// <summary>
/// One Functions app instance as Program.cs builds it (AddAutoscalerAdapters + AddAutoscalerCore + AddAutoscalerFunctions),
/// with storage and queue dispatch on a real Azurite and the real clock; the metrics source and the actuator are the
/// test's (shared by every instance, as the real fleet would be). <see cref="Consume"/> attaches a queue-trigger host
/// stand-in that invokes this instance's TickStack function.
/// </summary>
public sealed class QueueApp : IAsyncDisposable
{
    private readonly List<QueueTriggerHostStandIn> _listeners = [];

    private QueueApp(IHost host, Dictionary<string, string?> settings, CapturedLog log)
    {
        Host = host;
        Settings = settings;
        Log = log;
        var queue = (AzureQueueTickQueue)Get<ITickQueue>();
        Queue = queue.Queue;
        Poison = queue.PoisonQueue;
    }

    public IHost Host { get; }

    public Dictionary<string, string?> Settings { get; }

    public CapturedLog Log { get; }

    public QueueClient Queue { get; }

    public QueueClient Poison { get; }

    /// <summary>
    /// Settings of one deployment: its own queue, tables and container on this Azurite; stacks s00… in [1, 10]; a
    /// once-a-minute schedule, every minute at <paramref name="second"/>.
    /// </summary>
    public static Dictionary<string, string?> Deployment(AzuriteFixture azurite, int stacks, int second = 0)
    {
        var storage = azurite.NewOptions();
        var settings = new Dictionary<string, string?>
        {
            ["AUTOSCALER_SCHEDULE"] = $"{second} * * * * *",
            ["AUTOSCALER_PRUNE_SCHEDULE"] = "0 30 3 * * *",
            ["AUTOSCALER_TICK_QUEUE"] = "ticks-" + storage.LeaseContainerName,
            ["AzureWebJobsStorage"] = azurite.Server.ConnectionString,
            ["Autoscaler:Storage:Enabled"] = "true",
            ["Autoscaler:Storage:ConnectionString"] = storage.ConnectionString,
            ["Autoscaler:Storage:StateTableName"] = storage.StateTableName,
            ["Autoscaler:Storage:AuditTableName"] = storage.AuditTableName,
            ["Autoscaler:Storage:LeaseContainerName"] = storage.LeaseContainerName,
            ["Autoscaler:Storage:LeaseDurationSeconds"] = "15",
            ["Autoscaler:Storage:MaxRetries"] = "1",
        };
        foreach (var stack in StackNames(stacks))
        {
            settings[$"Autoscaler:Stacks:{stack}:Policy:MinSize"] = "1";
            settings[$"Autoscaler:Stacks:{stack}:Policy:MaxSize"] = "10";
        }

        return settings;
    }

    /// <summary>
    /// A deployment whose once-a-minute occurrence is about to come, and a task that ends just after it: a test then runs
    /// the timer on time, as the host would, rather than up to a minute late.
    /// </summary>
    public static (Dictionary<string, string?> Settings, Task Occurrence) DeploymentDueSoon(AzuriteFixture azurite, int stacks)
    {
        var at = DateTimeOffset.UtcNow.AddSeconds(3);
        var occurrence = new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, at.Second, TimeSpan.Zero);
        var wait = occurrence - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(50);
        return (Deployment(azurite, stacks, occurrence.Second), Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero));
    }

    public static IReadOnlyList<string> StackNames(int count) => Enumerable.Range(0, count).Select(i => $"s{i:D2}").ToList();

    public static async Task<QueueApp> StartAsync(Dictionary<string, string?> settings, IMetricsSource metrics, IFleetActuator actuator)
    {
        var log = new CapturedLog();
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration["Autoscaler:Actuator"] = "TestStandIn";
        builder.Configuration["Autoscaler:Metrics:Source"] = "TestStandIn";
        builder.Logging.AddProvider(log);
        builder.Services.AddFleetActuatorAdapter("TestStandIn", _ => actuator).AddMetricsSourceAdapter("TestStandIn", _ => metrics);
        builder.Services.AddAutoscalerAdapters(builder.Configuration);
        builder.Services.AddAutoscalerCore(builder.Configuration);
        builder.Services.AddAutoscalerFunctions(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return new QueueApp(host, settings, log);
    }

    public T Get<T>()
        where T : notnull => Host.Services.GetRequiredService<T>();

    /// <summary>Starts a queue listener (one host instance's) that runs this app's TickStack function per message.</summary>
    public QueueTriggerHostStandIn Consume(Action<QueueMessageSeen>? seen = null)
    {
        var listener = new QueueTriggerHostStandIn(Queue, Poison, Get<QueueHostSettings>(), async (message, ct) =>
        {
            var started = DateTimeOffset.UtcNow;
            try
            {
                await Get<TickStackFunctions>().TickStackAsync(message, ct);
            }
            finally
            {
                seen?.Invoke(new QueueMessageSeen(message.Body.ToString(), started, DateTimeOffset.UtcNow));
            }
        });
        _listeners.Add(listener);
        listener.Start();
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        await Host.StopAsync();
        Host.Dispose();
    }
}

public sealed record QueueMessageSeen(string Body, DateTimeOffset Dequeued, DateTimeOffset Finished)
{
    public string Stack => TickMessageJson.TryParse(Body, out var m, out _) ? m!.Stack : "";
}

/// <summary>The in-memory actuator (a stand-in for the Pulumi one), counting applies per stack, with an optional delay for some.</summary>
public sealed class CountingActuatorStandIn(int initialSize, Func<string, TimeSpan>? delay = null, Func<string, Exception?>? sizeFailure = null) : IFleetActuator
{
    private readonly AiLbAutoscaler.Core.InMemory.InMemoryFleetActuator _inner = new(initialSize);

    public ConcurrentDictionary<string, int> Applies { get; } = new();

    public ConcurrentDictionary<string, DateTimeOffset> AppliedAt { get; } = new();

    public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) =>
        sizeFailure?.Invoke(stack) is { } failure ? throw failure : _inner.GetCurrentSizeAsync(stack, cancellationToken);

    public async Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken)
    {
        if (delay?.Invoke(stack) is { } wait && wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }

        Applies.AddOrUpdate(stack, 1, (_, n) => n + 1);
        AppliedAt[stack] = DateTimeOffset.UtcNow;
        return await _inner.ApplyAsync(stack, desiredSize, reason, cancellationToken);
    }
}
