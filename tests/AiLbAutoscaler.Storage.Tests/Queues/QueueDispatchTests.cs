using AiLbAutoscaler.Adapters.AzureStorage.Queues;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Functions.Functions;
using AiLbAutoscaler.Functions.Http;
using AiLbAutoscaler.Storage.Tests.Azurite;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace AiLbAutoscaler.Storage.Tests.Queues;

/// <summary>
/// Queue dispatch end to end on a real Azurite (its queue, table and blob services) under the real clock: the Autoscale
/// timer fans out, TickStack functions behind queue-trigger host stand-ins drain the queue.
/// </summary>
[Trait("Area", "Storage")]
public sealed class QueueDispatchTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_timer_tick_enqueues_one_message_per_stack_visible_at_once_and_living_one_period()
    {
        var (settings, occurrence) = QueueApp.DeploymentDueSoon(azurite, stacks: 12);
        var actuator = new CountingActuatorStandIn(2);
        await using var app = await QueueApp.StartAsync(settings, Hot(QueueApp.StackNames(12)), actuator);
        await occurrence;

        var before = DateTimeOffset.UtcNow;
        await app.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), CancellationToken.None);
        var after = DateTimeOffset.UtcNow;

        // Peek sees only visible messages: all of them are, at once.
        var peeked = (await app.Queue.PeekMessagesAsync(32)).Value;
        var messages = peeked.Select(m => (Peeked: m, Ok: TickMessageJson.TryParse(m.Body.ToString(), out var t, out _), Tick: t!)).ToList();
        Assert.All(messages, m => Assert.True(m.Ok, m.Peeked.Body.ToString()));
        Assert.Equal(QueueApp.StackNames(12), messages.Select(m => m.Tick.Stack).Order(StringComparer.Ordinal));

        // One occurrence of the once-a-minute schedule: due at the occurrence the timer stands for, expiring a minute later.
        var tick = messages[0].Tick;
        Assert.All(messages, m => Assert.Equal((tick.TickId, tick.DueAt, tick.ExpiresAt), (m.Tick.TickId, m.Tick.DueAt, m.Tick.ExpiresAt)));
        Assert.Equal(int.Parse(settings["AUTOSCALER_SCHEDULE"]!.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture), tick.DueAt.Second);
        Assert.Equal(0, tick.DueAt.Millisecond);
        Assert.InRange(tick.DueAt, before.AddSeconds(-2), after);
        Assert.Equal(TimeSpan.FromMinutes(1), tick.ExpiresAt - tick.DueAt);

        // The queue deletes the message when the period is over (TTL in whole seconds, rounded down).
        Assert.All(messages, m =>
        {
            Assert.NotNull(m.Peeked.ExpiresOn);
            Assert.InRange(m.Peeked.ExpiresOn!.Value, tick.ExpiresAt.AddSeconds(-2), tick.ExpiresAt.AddSeconds(1));
            Assert.InRange(m.Peeked.InsertedOn!.Value, before.AddSeconds(-2), after.AddSeconds(2));
        });

        // The timer only scheduled: nothing was ticked.
        Assert.Empty(actuator.Applies);
        Assert.Empty(await app.Get<IAuditLog>().QueryAsync("s00", before.AddMinutes(-5), after.AddMinutes(5), 10, CancellationToken.None));
        Assert.Contains(app.Log.Entries, e => e.Message.Contains($"Autoscale tick {tick.TickId}: enqueued 12 stacks, 0 failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Four_consumers_drain_fifty_stacks_each_ticked_exactly_once()
    {
        var (settings, occurrence) = QueueApp.DeploymentDueSoon(azurite, stacks: 50);
        var stacks = QueueApp.StackNames(50);
        var metrics = Hot(stacks);
        var actuator = new CountingActuatorStandIn(2, delay: _ => TimeSpan.FromMilliseconds(300));
        await using var scheduler = await QueueApp.StartAsync(settings, metrics, actuator);
        var consumers = new List<QueueApp>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                consumers.Add(await QueueApp.StartAsync(settings, metrics, actuator));
            }

            var invocations = consumers.Select(c => c.Consume()).ToList();
            await occurrence;
            var start = DateTimeOffset.UtcNow;
            await scheduler.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), CancellationToken.None);
            await WaitUntilAsync(() => actuator.Applies.Count == 50 && invocations.Sum(l => l.Invocations) >= 50);
            await Task.Delay(1500); // let any second delivery show itself

            Assert.Equal(stacks, actuator.Applies.Keys.Order(StringComparer.Ordinal));
            Assert.All(actuator.Applies, a => Assert.Equal(1, a.Value));
            Assert.Equal(50, invocations.Sum(l => l.Invocations));
            Assert.Equal(0, invocations.Sum(l => l.Failures));
            Assert.True(invocations.Count(l => l.Invocations > 0) >= 2, "the work was spread over more than one consumer");
            var audit = scheduler.Get<IAuditLog>();
            foreach (var stack in stacks)
            {
                var rows = await audit.QueryAsync(stack, start.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1), 10, CancellationToken.None);
                Assert.Equal(AiLbAutoscaler.Core.Audit.DecisionTrigger.Timer, Assert.Single(rows).Trigger);
            }

            Assert.Empty((await scheduler.Queue.PeekMessagesAsync(32)).Value);
            Assert.False(await scheduler.Poison.ExistsAsync());
        }
        finally
        {
            foreach (var consumer in consumers)
            {
                await consumer.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_stack_whose_update_takes_30_s_does_not_delay_the_other_49()
    {
        var (settings, occurrence) = QueueApp.DeploymentDueSoon(azurite, stacks: 50);
        var stacks = QueueApp.StackNames(50);
        var metrics = Hot(stacks);
        var slow = TimeSpan.FromSeconds(30);
        var actuator = new CountingActuatorStandIn(2, delay: s => s == "s00" ? slow : TimeSpan.FromMilliseconds(200));
        await using var a = await QueueApp.StartAsync(settings, metrics, actuator);
        await using var b = await QueueApp.StartAsync(settings, metrics, actuator);
        var seen = new System.Collections.Concurrent.ConcurrentBag<QueueMessageSeen>();
        a.Consume(seen.Add);
        b.Consume(seen.Add);
        await occurrence;

        await a.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), CancellationToken.None);
        await WaitUntilAsync(() => seen.Count(s => s.Stack != "s00") == 49);

        Assert.False(actuator.Applies.ContainsKey("s00"), "the slow stack is still being updated");
        var others = seen.Where(s => s.Stack != "s00").ToList();
        // Half the slow stack's 30 s: far from waiting behind it, and loose enough for a loaded 2-core machine.
        Assert.All(others, s => Assert.True(s.Finished - s.Dequeued < slow / 2, $"{s.Stack} took {(s.Finished - s.Dequeued).TotalSeconds:0.0} s after its dequeue"));
        Assert.Equal(49, actuator.Applies.Count);

        await WaitUntilAsync(() => actuator.Applies.ContainsKey("s00"));
        Assert.Equal(1, actuator.Applies["s00"]);
    }

    [Fact]
    public async Task A_tick_that_fails_five_times_lands_in_the_poison_queue_and_status_shows_it()
    {
        var (settings, occurrence) = QueueApp.DeploymentDueSoon(azurite, stacks: 2);

        // The real host takes host.json overrides from app settings like this one: retry at once instead of after 10 s.
        settings["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00";
        var actuator = new CountingActuatorStandIn(2, sizeFailure: s => s == "s01" ? new IOException("fleet API down") : null);
        await using var app = await QueueApp.StartAsync(settings, Hot(QueueApp.StackNames(2)), actuator);
        var listener = app.Consume();
        await occurrence;

        await app.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), CancellationToken.None);
        await WaitUntilAsync(async () => (await app.Poison.ExistsAsync()).Value && (await app.Poison.PeekMessagesAsync(1)).Value.Length == 1);

        Assert.Equal(5, listener.Failures);
        var poisoned = (await app.Poison.PeekMessagesAsync(32)).Value;
        Assert.True(TickMessageJson.TryParse(Assert.Single(poisoned).Body.ToString(), out var tick, out _));
        Assert.Equal("s01", tick!.Stack);
        Assert.Empty((await app.Queue.PeekMessagesAsync(32)).Value);
        Assert.Equal(1, actuator.Applies["s00"]);
        Assert.Contains(app.Log.Entries, e => e.Level == LogLevel.Error
            && e.Message.Contains($"Tick {tick.TickId} of stack s01 failed on its last try (5 of 5) and goes to the poison queue", StringComparison.Ordinal)
            && e.Message.Contains("fleet API down", StringComparison.Ordinal));

        var result = await app.Get<StackQueryFunctions>().StatusAsync(new DefaultHttpContext().Request, "s01", CancellationToken.None);
        var status = Assert.IsType<StackStatus>(Assert.IsType<ApiJsonResult>(result).Value);
        var shown = Assert.Single(status.PoisonedTicks!);
        Assert.Equal((tick.TickId, 5), (shown.TickId, shown.Attempts));
        Assert.Contains("fleet API down", shown.Reason, StringComparison.Ordinal);
        var healthy = (StackStatus)((ApiJsonResult)await app.Get<StackQueryFunctions>().StatusAsync(new DefaultHttpContext().Request, "s00", CancellationToken.None)).Value;
        Assert.Empty(healthy.PoisonedTicks!);
    }

    [Fact]
    public async Task A_tick_older_than_its_period_is_dropped_and_logged_not_run()
    {
        var settings = QueueApp.Deployment(azurite, stacks: 2);
        var actuator = new CountingActuatorStandIn(2);
        await using var app = await QueueApp.StartAsync(settings, Hot(QueueApp.StackNames(2)), actuator);
        var now = DateTimeOffset.UtcNow;

        // A late message that is still in the queue (sent with a long TTL, as an older version might have): the consumer drops it.
        var stale = new TickMessage("s00", now.AddMinutes(-3), now.AddMinutes(-2), "stale-tick");
        await app.Queue.CreateIfNotExistsAsync();
        await app.Queue.SendMessageAsync(TickMessageJson.Serialize(stale), TimeSpan.Zero, TimeSpan.FromHours(1));

        // A tick whose period ends in 2 s, left unread past it: the queue itself deletes it.
        await app.Get<ITickQueue>().EnqueueAsync(new TickMessage("s01", now, now.AddSeconds(2), "short-tick"), CancellationToken.None);
        Assert.Equal(2, (await app.Queue.PeekMessagesAsync(32)).Value.Length);
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.Single((await app.Queue.PeekMessagesAsync(32)).Value);

        var listener = app.Consume();
        await WaitUntilAsync(async () => listener.Invocations == 1 && (await app.Queue.PeekMessagesAsync(32)).Value.Length == 0);
        await Task.Delay(500);

        Assert.Empty(actuator.Applies);
        Assert.Empty(await app.Get<IAuditLog>().QueryAsync("s00", now.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1), 10, CancellationToken.None));
        Assert.Contains(app.Log.Entries, e => e.Level == LogLevel.Warning
            && e.Message.Contains("Dropped tick stale-tick of stack s00", StringComparison.Ordinal) && e.Message.Contains("older than its period", StringComparison.Ordinal));
        Assert.False(await app.Poison.ExistsAsync());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Two_messages_with_the_same_tick_id_for_one_stack_apply_once(int consumers)
    {
        var settings = QueueApp.Deployment(azurite, stacks: 1);
        if (consumers == 1)
        {
            // One message at a time, so the second delivery meets the first one's record, not its lease.
            settings["AzureFunctionsJobHost:extensions:queues:batchSize"] = "1";
            settings["AzureFunctionsJobHost:extensions:queues:newBatchThreshold"] = "0";
        }

        var actuator = new CountingActuatorStandIn(2, delay: _ => TimeSpan.FromMilliseconds(500));
        var metrics = Hot(["s00"]);
        var apps = new List<QueueApp>();
        try
        {
            for (var i = 0; i < consumers; i++)
            {
                apps.Add(await QueueApp.StartAsync(settings, metrics, actuator));
            }

            var now = DateTimeOffset.UtcNow;
            var tick = new TickMessage("s00", now, now.AddMinutes(1), "20261202T000000Z");
            await apps[0].Get<ITickQueue>().EnqueueAsync(tick, CancellationToken.None);
            await apps[0].Get<ITickQueue>().EnqueueAsync(tick, CancellationToken.None);
            var listeners = apps.Select(a => a.Consume()).ToList();
            await WaitUntilAsync(async () => listeners.Sum(l => l.Invocations) == 2 && (await apps[0].Queue.PeekMessagesAsync(32)).Value.Length == 0);
            await Task.Delay(1000);

            Assert.Equal(1, actuator.Applies["s00"]);
            Assert.Single(await apps[0].Get<IAuditLog>().QueryAsync("s00", now.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1), 10, CancellationToken.None));
            Assert.Equal(0, listeners.Sum(l => l.Failures));
            var skips = apps.SelectMany(a => a.Log.Entries).Where(e => e.Message.Contains("Stack s00 skipped tick 20261202T000000Z", StringComparison.Ordinal)).ToList();
            Assert.Single(skips);
            if (consumers == 1)
            {
                Assert.Contains("already done", skips[0].Message, StringComparison.Ordinal);
            }

            Assert.Equal("20261202T000000Z", (await apps[0].Get<IStackStateStore>().LoadAsync("s00", CancellationToken.None)).State.LastTickId);
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>GPU utilization 0.95 on every stack (size 2, target 0.45): each tick scales up, so each tick applies.</summary>
    private static InMemoryMetricsSource Hot(IEnumerable<string> stacks)
    {
        var metrics = new InMemoryMetricsSource();
        foreach (var stack in stacks)
        {
            metrics.Set(stack, SignalReading.Of(SignalNames.GpuUtilization, 0.95, DateTimeOffset.UtcNow.AddSeconds(-10)));
        }

        return metrics;
    }

    private static Task WaitUntilAsync(Func<bool> done) => WaitUntilAsync(() => Task.FromResult(done()));

    private static async Task WaitUntilAsync(Func<Task<bool>> done)
    {
        var deadline = DateTimeOffset.UtcNow + Drain;
        while (!await done())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"not done within {Drain.TotalSeconds} s");
            await Task.Delay(100);
        }
    }
}
