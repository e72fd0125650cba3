using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Functions.Dispatch;
using AiLbAutoscaler.Functions.Functions;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Bench;

/// <summary>
/// Time from a timer occurrence to the last stack ticked, for queue dispatch with 1, 4 and 16 warm consumer instances and
/// for inline dispatch. The real Autoscale and TickStack functions and the real controller run; the metrics source and
/// the actuator are stand-ins with seeded latencies (metrics 0.5–2 s, a resize 20–60 s), and the queue is an in-memory
/// stand-in that delivers at once. Every latency is divided by <c>--scale</c> and the elapsed time multiplied back, so
/// the printed seconds are at real scale; the controller's own CPU time is multiplied too (it makes the figures a little
/// pessimistic). Each consumer instance runs at most batchSize + newBatchThreshold ticks at once, from host.json, as the
/// Functions host does; instances are warm (the plan's ramp-up is not modelled: docs/functions.md).
/// </summary>
public static class FanOutBench
{
    public static int Run(string[] args)
    {
        var stacks = Arg(args, "--stacks", 500);
        var scale = Arg(args, "--scale", 100);
        var seed = Arg(args, "--seed", 42);
        var resize = Arg(args, "--resize", 1.0);
        var host = QueueHostSettings.Load(Path.Combine(AiLbAutoscaler.Tests.Shared.RepositoryRoot.Path, "host.json"));
        Console.WriteLine($"{stacks} stacks, {resize:P0} resizing per tick; metrics 0.5–2 s, resize 20–60 s; time ÷ {scale} (figures below are × {scale}); " +
            $"per instance batchSize {host.BatchSize} + newBatchThreshold {host.NewBatchThreshold} = {host.MaxConcurrentPerInstance} at once");
        Console.WriteLine("mode                    time to last stack ticked");

        var inline = RunInlineAsync(stacks, scale, seed, resize).GetAwaiter().GetResult();
        Console.WriteLine($"inline (4 in parallel)  {inline * scale,8:0.0} s");
        foreach (var consumers in new[] { 1, 4, 16 })
        {
            var queued = RunQueuedAsync(stacks, scale, seed, resize, consumers, host).GetAwaiter().GetResult();
            Console.WriteLine($"queue, {consumers,2} instance{(consumers == 1 ? " " : "s")}      {queued * scale,8:0.0} s");
        }

        return 0;
    }

    private static async Task<double> RunInlineAsync(int stacks, int scale, int seed, double resize)
    {
        await using var services = Build(stacks, scale, seed, resize, queue: null);
        var timer = services.GetRequiredService<TimerFunctions>();
        var clock = Stopwatch.StartNew();
        await timer.AutoscaleAsync(new TimerInfo(), CancellationToken.None);
        var elapsed = clock.Elapsed.TotalSeconds;
        Check(services, stacks);
        return elapsed;
    }

    private static async Task<double> RunQueuedAsync(int stacks, int scale, int seed, double resize, int instances, QueueHostSettings host)
    {
        var queue = new InstantQueueStandIn();
        await using var services = Build(stacks, scale, seed, resize, queue);
        var done = 0;
        var last = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        var all = new TaskCompletionSource();
        var consumers = Enumerable.Range(0, instances).Select(_ => Task.Run(() => ConsumeAsync(queue, host, async message =>
        {
            await services.GetRequiredService<TickStackFunctions>().TickStackAsync(message, CancellationToken.None);
            last = clock.Elapsed;
            if (Interlocked.Increment(ref done) == stacks)
            {
                all.TrySetResult();
            }
        }))).ToList();

        await services.GetRequiredService<TimerFunctions>().AutoscaleAsync(new TimerInfo(), CancellationToken.None);
        await all.Task;
        queue.Complete();
        await Task.WhenAll(consumers);
        Check(services, stacks);
        return last.TotalSeconds;
    }

    /// <summary>One host instance: fetch up to batchSize, fetch again once at most newBatchThreshold are running.</summary>
    private static async Task ConsumeAsync(InstantQueueStandIn queue, QueueHostSettings host, Func<QueueMessage, Task> invoke)
    {
        var running = new List<Task>();
        while (true)
        {
            running.RemoveAll(t => t.IsCompleted);
            if (running.Count > host.NewBatchThreshold)
            {
                await Task.WhenAny(running);
                continue;
            }

            var batch = await queue.ReceiveAsync(host.BatchSize);
            if (batch.Count == 0)
            {
                await Task.WhenAll(running);
                return;
            }

            running.AddRange(batch.Select(m => Task.Run(() => invoke(m))));
        }
    }

    private static void Check(ServiceProvider services, int stacks)
    {
        var actuator = services.GetRequiredKeyedService<IFleetActuator>("BenchStandIn") as LatencyActuatorStandIn;
        if (actuator!.Ticked.Count != stacks)
        {
            throw new InvalidOperationException($"{actuator.Ticked.Count} of {stacks} stacks were ticked.");
        }
    }

    private static ServiceProvider Build(int stacks, int scale, int seed, double resize, InstantQueueStandIn? queue)
    {
        var names = Enumerable.Range(0, stacks).Select(i => $"stack{i:D3}").ToList();
        var settings = new Dictionary<string, string?>();
        foreach (var name in names)
        {
            settings[$"Autoscaler:Stacks:{name}:Policy:MinSize"] = "1";
            settings[$"Autoscaler:Stacks:{name}:Policy:MaxSize"] = "100";
        }

        settings["Autoscaler:Actuator"] = "BenchStandIn";
        settings["Autoscaler:Metrics:Source"] = "BenchStandIn";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var random = new Random(seed);
        var resizing = names.Where(_ => random.NextDouble() < resize).ToHashSet();
        var services = new ServiceCollection().AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance).AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddMetricsSourceAdapter("BenchStandIn", _ => new LatencyMetricsStandIn(new Random(seed + 1), scale, resizing));
        services.AddFleetActuatorAdapter("BenchStandIn", _ => new LatencyActuatorStandIn(new Random(seed + 2), scale));
        services.AddAutoscalerCore(configuration);
        services.AddSingleton(QueueHostSettings.Load(Path.Combine(AiLbAutoscaler.Tests.Shared.RepositoryRoot.Path, "host.json")));
        services.AddSingleton(new TickSchedule("0 */1 * * * *"));
        services.AddTransient<TickStackFunctions>();
        services.AddTransient<TimerFunctions>();
        if (queue is not null)
        {
            services.AddSingleton<ITickQueue>(queue);
            services.AddSingleton<TickFanOut>();
        }

        return services.BuildServiceProvider();
    }

    private static T Arg<T>(string[] args, string name, T fallback)
        where T : IParsable<T>
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? T.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>A queue that delivers every message at once and never loses one (the real queue's polling adds at most maxPollingInterval).</summary>
    private sealed class InstantQueueStandIn : ITickQueue
    {
        private readonly Channel<QueueMessage> _channel = Channel.CreateUnbounded<QueueMessage>();
        private int _id;

        public Task EnqueueAsync(TickMessage message, CancellationToken cancellationToken)
        {
            var id = Interlocked.Increment(ref _id).ToString(CultureInfo.InvariantCulture);
            return _channel.Writer.WriteAsync(QueuesModelFactory.QueueMessage(id, "receipt",
                new BinaryData(Adapters.AzureStorage.Queues.TickMessageJson.Serialize(message)), dequeueCount: 1), cancellationToken).AsTask();
        }

        public Task RecordPoisonedAsync(PoisonedTick tick, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<PoisonedTick>> PoisonedAsync(string stack, DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<PoisonedTick>>([]);

        public void Complete() => _channel.Writer.TryComplete();

        public async Task<List<QueueMessage>> ReceiveAsync(int max)
        {
            var batch = new List<QueueMessage>();
            if (!await _channel.Reader.WaitToReadAsync())
            {
                return batch;
            }

            while (batch.Count < max && _channel.Reader.TryRead(out var message))
            {
                batch.Add(message);
            }

            return batch;
        }
    }

    /// <summary>Cloud Monitoring's latency, 0.5–2 s a read: GPU utilization 0.9 on a resizing stack (size 2 → 4), 0.45 (on target) on the others.</summary>
    private sealed class LatencyMetricsStandIn(Random random, int scale, HashSet<string> resizing) : IMetricsSource
    {
        public async Task<Observation> ObserveAsync(string stack, CancellationToken cancellationToken)
        {
            double seconds;
            lock (random)
            {
                seconds = 0.5 + (random.NextDouble() * 1.5);
            }

            await Task.Delay(TimeSpan.FromSeconds(seconds / scale), cancellationToken);
            var value = resizing.Contains(stack) ? 0.9 : 0.45;
            return new Observation([SignalReading.Of(SignalNames.GpuUtilization, value, DateTimeOffset.UtcNow.AddSeconds(-10))]);
        }
    }

    /// <summary>A targeted <c>pulumi up</c>: 20–60 s per resize; the size is read at once.</summary>
    private sealed class LatencyActuatorStandIn(Random random, int scale) : IFleetActuator
    {
        private readonly Core.InMemory.InMemoryFleetActuator _sizes = new(initialSize: 2);

        public System.Collections.Concurrent.ConcurrentDictionary<string, bool> Ticked { get; } = new();

        public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken)
        {
            Ticked[stack] = true;
            return _sizes.GetCurrentSizeAsync(stack, cancellationToken);
        }

        public async Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken)
        {
            double seconds;
            lock (random)
            {
                seconds = 20 + (random.NextDouble() * 40);
            }

            await Task.Delay(TimeSpan.FromSeconds(seconds / scale), cancellationToken);
            return await _sizes.ApplyAsync(stack, desiredSize, reason, cancellationToken);
        }
    }
}
