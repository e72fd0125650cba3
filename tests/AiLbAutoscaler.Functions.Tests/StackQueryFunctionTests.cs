using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Functions.Functions;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Functions.Tests;

[Trait("Area", "Functions")]
public sealed class StackQueryFunctionTests
{
    private const string Stack = "inference";

    [Fact]
    public async Task Status_reports_the_size_and_the_latest_decisions_first()
    {
        await using var app = await TestApp.StartAsync();
        var controller = app.Get<AutoscaleController>();
        await controller.RescaleAsync(Stack, new RescaleRequest(3, "first", TimeSpan.Zero), DecisionTrigger.Cli, default);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await controller.RescaleAsync(Stack, new RescaleRequest(5, "second", TimeSpan.Zero), DecisionTrigger.Cli, default);

        var response = await StatusAsync(app, Stack);

        Assert.Equal(200, response.Status);
        Assert.Equal(Stack, response.Body.GetProperty("stack").GetString());
        Assert.Equal(5, response.Body.GetProperty("currentSize").GetInt32());
        Assert.Equal(5, response.Body.GetProperty("lastAppliedSize").GetInt32());
        Assert.False(response.Body.TryGetProperty("override", out _), "a rescale without hold leaves no override");
        var recent = response.Body.GetProperty("recentDecisions").EnumerateArray()
            .Select(r => r.GetProperty("decision").GetProperty("desiredSize").GetInt32()).ToList();
        Assert.Equal([5, 3], recent);
        Assert.Equal("cli", response.Body.GetProperty("recentDecisions")[0].GetProperty("trigger").GetString());
    }

    [Fact]
    public async Task Status_lists_each_schedule_with_whether_it_is_active_and_its_next_start()
    {
        var settings = TestApp.DefaultSettings();
        // 13:00 in Berlin is 12:00 UTC in November (CET), the test clock's start: "lunch" is active now.
        foreach (var (i, name, cron) in new[] { (0, "lunch", "0 13 * * *"), (1, "launch", "0 9 * * *") })
        {
            settings[$"Autoscaler:Stacks:inference:Policy:Schedules:{i}:Name"] = name;
            settings[$"Autoscaler:Stacks:inference:Policy:Schedules:{i}:Schedule"] = cron;
            settings[$"Autoscaler:Stacks:inference:Policy:Schedules:{i}:TimeZone"] = "Europe/Berlin";
            settings[$"Autoscaler:Stacks:inference:Policy:Schedules:{i}:DurationSeconds"] = "3600";
            settings[$"Autoscaler:Stacks:inference:Policy:Schedules:{i}:MinSize"] = "4";
        }

        await using var app = await TestApp.StartAsync(settings);

        var schedules = (await StatusAsync(app, Stack)).Body.GetProperty("schedules").EnumerateArray().ToList();

        Assert.Equal(["lunch", "launch"], schedules.Select(s => s.GetProperty("name").GetString()));
        Assert.True(schedules[0].GetProperty("active").GetBoolean());
        Assert.Equal(TestApp.Start, schedules[0].GetProperty("activeStart").GetDateTimeOffset());
        Assert.Equal(TestApp.Start.AddDays(1), schedules[0].GetProperty("nextStart").GetDateTimeOffset());
        Assert.False(schedules[1].GetProperty("active").GetBoolean());
        Assert.False(schedules[1].TryGetProperty("activeStart", out _));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero), schedules[1].GetProperty("nextStart").GetDateTimeOffset());
    }

    [Fact]
    public async Task Status_of_an_unknown_stack_is_a_404()
    {
        await using var app = await TestApp.StartAsync();

        var response = await StatusAsync(app, "ghost");

        Assert.Equal(404, response.Status);
        Assert.Equal("urn:ailbautoscaler:problem:unknown-stack", response.Type);
    }

    [Fact]
    public async Task History_defaults_to_the_last_24_hours()
    {
        await using var app = await AppWithRecordsAsync(hoursAgo: [30, 23, 1]);

        var response = await HistoryAsync(app, "");

        Assert.Equal(200, response.Status);
        Assert.Equal(TestApp.Start.AddHours(-24), response.Body.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(TestApp.Start, response.Body.GetProperty("to").GetDateTimeOffset());
        Assert.Equal([TestApp.Start.AddHours(-23), TestApp.Start.AddHours(-1)], AtOf(response));
    }

    [Theory]
    [InlineData("?from=2026-11-25T00:00:00Z&to=2026-11-25T12:00:00Z", new[] { 30 })]
    [InlineData("?from=2026-11-25T06:00:00Z", new[] { 30, 23, 1 })]
    [InlineData("?from=2026-11-25T14:00:00%2B01:00&to=2026-11-26T10:30:00Z", new[] { 23 })]
    [InlineData("?from=2026-11-25T12:00:00&to=2026-11-26T11:00:00.0000001", new[] { 23, 1 })]
    [InlineData("?from=2026-11-20&limit=2", new[] { 30, 23 })]
    public async Task History_returns_the_records_in_the_window_oldest_first(string query, int[] expectedHoursAgo)
    {
        await using var app = await AppWithRecordsAsync(hoursAgo: [30, 23, 1]);

        var response = await HistoryAsync(app, query);

        Assert.Equal(200, response.Status);
        Assert.Equal(expectedHoursAgo.Select(h => TestApp.Start.AddHours(-h)), AtOf(response));
        Assert.Equal(expectedHoursAgo.Length, response.Body.GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("?from=yesterday", "from", "from must be an ISO 8601 date-time")]
    [InlineData("?to=2026-13-01T00:00:00Z", "to", "to must be an ISO 8601 date-time")]
    [InlineData("?from=2026-11-26T10:00:00+02:00", "from", "Write a '+' offset as %2B")]
    [InlineData("?from=2026-11-26T10:00:00Z&to=2026-11-26T09:00:00Z", "from", "must be earlier than to")]
    [InlineData("?to=2026-01-01T00:00:00Z&from=2026-01-01T00:00:00Z", "from", "must be earlier than to")]
    [InlineData("?limit=0", "limit", "limit must be a whole number in [1, 1000]")]
    [InlineData("?limit=1001", "limit", "limit must be a whole number in [1, 1000]")]
    [InlineData("?limit=ten", "limit", "limit must be a whole number in [1, 1000]")]
    public async Task A_bad_time_range_is_a_400_naming_the_parameter(string query, string field, string expected)
    {
        await using var app = await AppWithRecordsAsync(hoursAgo: [1]);

        var response = await HistoryAsync(app, query);

        Assert.Equal(400, response.Status);
        Assert.True(response.IsProblem);
        Assert.Equal("urn:ailbautoscaler:problem:invalid-request", response.Type);
        Assert.Contains(response.ErrorsFor(field), m => m.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task History_of_an_unknown_stack_is_a_404()
    {
        await using var app = await TestApp.StartAsync();

        var response = await HistoryAsync(app, "", "ghost");

        Assert.Equal(404, response.Status);
    }

    private static async Task<TestApp> AppWithRecordsAsync(int[] hoursAgo)
    {
        var app = await TestApp.StartAsync();
        var audit = app.Get<IAuditLog>();
        foreach (var h in hoursAgo)
        {
            var at = TestApp.Start.AddHours(-h);
            var decision = new ScalingDecision(Stack, at, 2, 2, ScalingAction.None, null, null, [], [], "steady");
            await audit.AppendAsync(new AuditRecord(Stack, at, DecisionTrigger.Timer, [], decision, ActuationResult.Skipped("steady"), false), default);
        }

        return app;
    }

    private static List<DateTimeOffset> AtOf(Response response) =>
        response.Body.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("at").GetDateTimeOffset()).ToList();

    private static async Task<Response> StatusAsync(TestApp app, string stack)
    {
        var request = TestApp.Get();
        return await TestApp.ExecuteAsync(await app.Get<StackQueryFunctions>().StatusAsync(request, stack, default), request);
    }

    private static async Task<Response> HistoryAsync(TestApp app, string query, string stack = Stack)
    {
        var request = TestApp.Get(query);
        return await TestApp.ExecuteAsync(await app.Get<StackQueryFunctions>().HistoryAsync(request, stack, default), request);
    }
}
