using System.Globalization;
using System.Text.Json;
using AiLbAutoscaler.Adapters.Metrics;
using AiLbAutoscaler.Adapters.Metrics.Recording;
using AiLbAutoscaler.Metrics.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace AiLbAutoscaler.Metrics.Tests;

/// <summary>
/// Recording from Cloud Monitoring through the real HTTP pipeline (HttpClientFactory, resilience handler, auth handler). The
/// server is a STAND-IN: WireMock.Net on 127.0.0.1 answering with the documented <c>projects.timeSeries.list</c> JSON
/// (int64 values as strings, points newest first, <c>nextPageToken</c>); the token is a fixed string. "Now" is frozen.
/// </summary>
[Trait("Area", "Record")]
public sealed class RecordCloudMonitoringTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-10T12:10:00Z", CultureInfo.InvariantCulture);
    private static readonly DateTimeOffset From = DateTimeOffset.Parse("2026-01-10T09:00:00Z", CultureInfo.InvariantCulture);
    private static readonly DateTimeOffset To = DateTimeOffset.Parse("2026-01-10T11:30:00Z", CultureInfo.InvariantCulture);
    private const string TimeSeriesPath = "/v3/projects/my-proj/timeSeries";
    private const string Filter = "metric.type = \"loadbalancing.googleapis.com/https/request_count\" AND resource.type = \"https_lb_rule\" AND resource.labels.backend_target_name = \"llm-backend\"";
    private const int GapMinute = 17;

    private readonly WireMockServer _server = TestPorts.StartWireMock();
    private readonly ListLoggerProvider _logs = new();

    public void Dispose() => _server.Stop();

    private static long Count(int minute) => 1000 + (minute * 7);

    [Fact]
    public async Task Chunks_pages_a_gap_int64_strings_and_a_429_give_every_minute_and_the_documented_requests()
    {
        // Chunk 1 (09:00–10:00) in two pages; chunk 2 (10:00–11:00) throttled once; chunk 3 (11:00–11:30) in one page.
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet().WithParam("interval.startTime", "2026-01-10T09:00:00Z").WithParam("pageToken", "page/2+of=2"))
            .AtPriority(1).RespondWith(Page(30, 60, null));
        Chunk("2026-01-10T09:00:00Z", 5).RespondWith(Page(0, 30, "page/2+of=2"));
        Chunk("2026-01-10T10:00:00Z", 5).InScenario("throttle").WillSetStateTo("ok")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Content-Type", "application/json").WithBody(MetricsHost.Fixture("CloudMonitoring/error-429.json")));
        Chunk("2026-01-10T10:00:00Z", 5).InScenario("throttle").WhenStateIs("ok").RespondWith(Page(60, 120, null));
        Chunk("2026-01-10T11:00:00Z", 5).RespondWith(Page(120, 150, null));
        var progress = new List<string>();

        var trace = await RecordAsync(Settings(), From, To, progress);

        Assert.Equal(150, trace.Minutes.Count);
        Assert.Equal(1, trace.GapMinutes);
        for (var m = 0; m < 150; m++)
        {
            Assert.Equal(From.AddMinutes(m), trace.Minutes[m].Start);
            Assert.Equal(m == GapMinute ? null : Count(m), trace.Minutes[m].Requests);
        }

        Assert.False(trace.HasTokens);
        Assert.Equal(3, progress.Count);
        Assert.StartsWith("record: chunk 3/3: 2026-01-10T11:00:00Z to 2026-01-10T11:30:00Z (30 minutes)", progress[2]);

        var requests = _server.LogEntries.OrderBy(e => e.RequestMessage.DateTime).Select(e => (Query: MetricsHost.ParseQuery(e.RequestMessage.RawQuery), Status: (int)e.ResponseMessage.StatusCode!)).ToList();
        Assert.Equal([200, 200, 429, 200, 200], requests.Select(r => r.Status));
        var expected = new (string Start, string End, string? Token)[]
        {
            ("2026-01-10T09:00:00Z", "2026-01-10T10:00:00Z", null), ("2026-01-10T09:00:00Z", "2026-01-10T10:00:00Z", "page/2+of=2"),
            ("2026-01-10T10:00:00Z", "2026-01-10T11:00:00Z", null), ("2026-01-10T10:00:00Z", "2026-01-10T11:00:00Z", null),
            ("2026-01-10T11:00:00Z", "2026-01-10T11:30:00Z", null),
        };
        for (var i = 0; i < expected.Length; i++)
        {
            List<(string, string)> query =
            [
                ("filter", Filter), ("interval.startTime", expected[i].Start), ("interval.endTime", expected[i].End),
                ("aggregation.alignmentPeriod", "60s"), ("aggregation.perSeriesAligner", "ALIGN_DELTA"), ("aggregation.crossSeriesReducer", "REDUCE_SUM"),
                ("view", "FULL"), ("pageSize", "10000"),
            ];
            if (expected[i].Token is { } token)
            {
                query.Add(("pageToken", token));
            }

            Assert.Equal(query, requests[i].Query);
        }
    }

    [Fact]
    public async Task A_range_beyond_six_weeks_is_refused_naming_the_retention_without_a_request()
    {
        var ex = await Assert.ThrowsAsync<RecordSettingsException>(() => RecordAsync(Settings(), Now.AddDays(-43), Now, []));

        Assert.Contains("retention of 42 days", ex.Message);
        Assert.Contains("6 weeks (https://cloud.google.com/monitoring/api/v3/latency-n-retention)", ex.Message);
        Assert.Empty(_server.LogEntries);
    }

    [Fact]
    public async Task A_stack_without_a_backend_service_is_a_settings_error_naming_the_setting()
    {
        var settings = Settings();
        settings.Remove("Autoscaler:Stacks:inference:Metrics:BackendServiceName");
        settings["Autoscaler:Stacks:inference:Metrics:InstanceGroupName"] = "llm-mig";

        var ex = await Assert.ThrowsAsync<RecordSettingsException>(() => RecordAsync(settings, From, To, []));

        Assert.Equal("Autoscaler:Stacks:inference:Metrics:BackendServiceName is required to record request_count from Cloud Monitoring.", ex.Message);
    }

    [Fact]
    public async Task A_source_failure_names_the_query_and_never_the_token()
    {
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(500).WithHeader("Content-Type", "application/json").WithBody(MetricsHost.Fixture("CloudMonitoring/error-500.json")));

        var ex = await Assert.ThrowsAsync<MetricsQueryException>(() => RecordAsync(Settings(), From, To, []));

        Assert.Contains("HTTP 500", ex.Message);
        Assert.Contains(Filter, ex.Message);
        Assert.Equal(1 + 3, _server.LogEntries.Count()); // the pipeline's retries, then the failure
        Assert.DoesNotContain(MetricsHost.Token, ex.ToString());
        Assert.DoesNotContain(MetricsHost.Token, _logs.All());
        Assert.Equal($"Bearer {MetricsHost.Token}", Assert.Single(_server.LogEntries.First().RequestMessage.Headers!["Authorization"]));
    }

    private IRespondWithAProvider Chunk(string start, int priority) =>
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet().WithParam("interval.startTime", start)).AtPriority(priority);

    /// <summary>A page with minutes [from, to) of the recording, newest first, the gap minute left out, int64 values as strings.</summary>
    private static IResponseBuilder Page(int from, int to, string? nextPageToken)
    {
        var points = Enumerable.Range(from, to - from).Reverse().Where(m => m != GapMinute).Select(m => new
        {
            interval = new { startTime = Iso(From.AddMinutes(m)), endTime = Iso(From.AddMinutes(m + 1)) },
            value = new { int64Value = Count(m).ToString(CultureInfo.InvariantCulture) },
        });
        var body = new Dictionary<string, object>
        {
            ["timeSeries"] = new[]
            {
                new
                {
                    metric = new { type = "loadbalancing.googleapis.com/https/request_count" },
                    resource = new { type = "https_lb_rule", labels = new { project_id = "my-proj", backend_target_name = "llm-backend" } },
                    metricKind = "DELTA",
                    valueType = "INT64",
                    points,
                },
            },
        };
        if (nextPageToken is not null)
        {
            body["nextPageToken"] = nextPageToken;
        }

        return Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(JsonSerializer.Serialize(body));
    }

    private async Task<RecordedTrace> RecordAsync(Dictionary<string, string?> settings, DateTimeOffset from, DateTimeOffset to, List<string> progress)
    {
        using var provider = MetricsHost.Build(settings, new FrozenClock(Now), new StaticAccessTokenSourceStandIn(MetricsHost.Token), _logs);
        return await provider.GetRequiredService<TrafficRecorder>().RecordAsync("inference", from, to, progress.Add, CancellationToken.None);
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = MetricsHost.FastResilience(TestPorts.UrlOf(_server));
        settings["Autoscaler:Stacks:inference:Metrics:Project"] = "my-proj";
        settings["Autoscaler:Stacks:inference:Metrics:BackendServiceName"] = "llm-backend";
        settings["Autoscaler:Stacks:inference:Metrics:Record:ChunkMinutes"] = "60";
        return settings;
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
