using AiLbAutoscaler.Functions.Dispatch;
using AiLbAutoscaler.Functions.Functions;
using AiLbAutoscaler.Functions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>The dispatch setting and the schedule arithmetic of queue dispatch (the queue itself is tested on Azurite in Storage.Tests).</summary>
[Trait("Area", "Functions")]
public sealed class DispatchTests
{
    [Theory]
    [InlineData(null, null, DispatchMode.Inline)]
    [InlineData("false", null, DispatchMode.Inline)]
    [InlineData("true", null, DispatchMode.Queue)]
    [InlineData("true", "Inline", DispatchMode.Inline)]
    [InlineData("true", "queue", DispatchMode.Queue)]
    public void Queue_is_the_default_wherever_storage_is_enabled(string? storage, string? dispatch, DispatchMode expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [AdapterSelection.StorageSetting] = storage,
            [AdapterSelection.DispatchSetting] = dispatch,
        }).Build();

        Assert.Equal(expected, AdapterSelection.From(configuration).Dispatch);
    }

    [Theory]
    [InlineData("Queue", "Autoscaler:Dispatch is Queue, but Autoscaler:Storage:Enabled is false")]
    [InlineData("Fanout", "Autoscaler:Dispatch must be one of Inline, Queue (was 'Fanout')")]
    public async Task A_dispatch_that_cannot_work_fails_startup_naming_the_setting(string dispatch, string message)
    {
        var settings = TestApp.DefaultSettings();
        settings[AdapterSelection.DispatchSetting] = dispatch;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(settings));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_tick_queue_setting_is_required_in_either_mode()
    {
        var settings = TestApp.DefaultSettings();
        settings.Remove("AUTOSCALER_TICK_QUEUE");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(settings));

        Assert.Contains("AUTOSCALER_TICK_QUEUE is required", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 */1 * * * *", "2026-11-26T12:00:40Z", "2026-11-26T12:00:00Z", "2026-11-26T12:01:00Z")]
    [InlineData("0 */1 * * * *", "2026-11-26T12:01:00Z", "2026-11-26T12:01:00Z", "2026-11-26T12:02:00Z")]
    [InlineData("0 */5 * * * *", "2026-11-26T12:09:59Z", "2026-11-26T12:05:00Z", "2026-11-26T12:10:00Z")]
    [InlineData("0 30 3 * * *", "2026-11-26T12:00:00Z", "2026-11-26T03:30:00Z", "2026-11-27T03:30:00Z")]
    [InlineData("00:05:00", "2026-11-26T12:00:07Z", "2026-11-26T12:00:07Z", "2026-11-26T12:05:07Z")]
    public void An_occurrence_is_due_at_the_latest_schedule_time_and_expires_at_the_next(string schedule, string now, string due, string expires)
    {
        var (dueAt, expiresAt) = new TickSchedule(schedule).OccurrenceAt(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture), dueAt);
        Assert.Equal(DateTimeOffset.Parse(expires, System.Globalization.CultureInfo.InvariantCulture), expiresAt);
    }

    [Fact]
    public void A_tick_id_names_the_occurrence_and_sorts_by_time() =>
        Assert.Equal("20261126T120000Z", TickSchedule.TickId(new DateTimeOffset(2026, 11, 26, 13, 0, 0, TimeSpan.FromHours(1))));

    [Theory]
    [InlineData("not json", "the body is not a tick message")]
    [InlineData("{\"tickId\":\"t\",\"dueAt\":\"2026-11-26T12:00:00Z\",\"expiresAt\":\"2026-11-26T12:01:00Z\"}", "it names no stack")]
    [InlineData("{\"stack\":\"inference\",\"tickId\":\"t\",\"dueAt\":\"2026-11-26T12:01:00Z\",\"expiresAt\":\"2026-11-26T12:00:00Z\"}", "out of order")]
    public async Task An_unreadable_message_is_dropped_and_logged_not_retried(string body, string problem)
    {
        await using var app = await TestApp.StartAsync();

        await app.Get<TickStackFunctions>().TickStackAsync(Azure.Storage.Queues.Models.QueuesModelFactory.QueueMessage("m1", "r", body, 1), default);

        Assert.Contains(app.Log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("Dropped queue message m1", StringComparison.Ordinal)
            && e.Message.Contains(problem, StringComparison.Ordinal));
        Assert.Empty(app.Actuator.Applied);
    }
}
