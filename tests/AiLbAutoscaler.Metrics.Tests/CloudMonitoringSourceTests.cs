using AiLbAutoscaler.Adapters.Metrics;
using System.Diagnostics;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Telemetry;
using AiLbAutoscaler.Metrics.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace AiLbAutoscaler.Metrics.Tests;

/// <summary>
/// The Cloud Monitoring source end to end through the real HTTP pipeline (HttpClientFactory, standard resilience handler,
/// auth handler, System.Text.Json). What is real: our client, retries, timeouts, parsing and point selection, over real
/// HTTP. What is a stand-in: the server — WireMock.Net on 127.0.0.1 serving responses written by hand from the documented
/// <c>projects.timeSeries.list</c> shape (Fixtures/CloudMonitoring) — and the access token (a fixed string; the real
/// credential flow is covered by <see cref="CredentialsTests"/>). "Now" is frozen at 2026-01-10T12:10:00Z.
/// </summary>
[Trait("Area", "Metrics")]
public sealed class CloudMonitoringSourceTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-10T12:10:00Z");
    private const string TimeSeriesPath = "/v3/projects/my-proj/timeSeries";

    private readonly WireMockServer _server = TestPorts.StartWireMock();
    private readonly ListLoggerProvider _logs = new();

    public void Dispose() => _server.Stop();

    [Fact]
    public async Task Aggregated_double_series_reads_the_newest_complete_point_and_sends_the_documented_request()
    {
        Serve("*backend_latencies*", "aggregated-latency.json");

        var observation = await ObserveAsync(LatencyOnly());

        var latency = Assert.Single(observation.Signals);
        Assert.Equal(SignalNames.LatencyP95Ms, latency.Signal);
        Assert.Equal(812.4, latency.Value);
        Assert.Equal(DateTimeOffset.Parse("2026-01-10T12:06:00.1234567Z"), latency.ObservedAt);
        Assert.Null(latency.Problem);

        var request = Assert.Single(_server.LogEntries).RequestMessage;
        Assert.Equal(TimeSeriesPath, request.Path);
        Assert.Equal($"Bearer {MetricsHost.Token}", Assert.Single(request.Headers!["Authorization"]));
        var query = MetricsHost.ParseQuery(request.RawQuery);
        Assert.Equal(
        [
            ("filter", "metric.type = \"loadbalancing.googleapis.com/https/backend_latencies\" AND resource.type = \"https_lb_rule\" AND resource.labels.backend_target_name = \"llm-backend\""),
            ("interval.startTime", "2026-01-10T12:00:00Z"),
            ("interval.endTime", "2026-01-10T12:10:00Z"),
            ("aggregation.alignmentPeriod", "60s"),
            ("aggregation.perSeriesAligner", "ALIGN_DELTA"),
            ("aggregation.crossSeriesReducer", "REDUCE_PERCENTILE_95"),
            ("aggregation.groupByFields", "resource.labels.backend_target_name"),
            ("view", "FULL"),
            ("pageSize", "10000"),
        ], query);
        Assert.Contains("filter=metric.type%20%3D%20%22loadbalancing.googleapis.com%2Fhttps%2Fbackend_latencies%22%20AND", request.RawQuery);
        Assert.Contains("interval.endTime=2026-01-10T12%3A10%3A00Z", request.RawQuery);
    }

    [Fact]
    public async Task Raw_distribution_with_exponential_buckets_gives_the_hand_computed_p95()
    {
        Serve("*backend_latencies*", "raw-distribution.json");
        var settings = LatencyOnly();
        settings["Autoscaler:Stacks:inference:Metrics:LatencyMode"] = "RawDistribution";

        var latency = Assert.Single((await ObserveAsync(settings)).Signals);

        // Bounds 10·2^i = 10, 20, 40, 80, 160, 320. The 12:09 point lies inside the 210 s ingest delay and is skipped.
        // At 12:06 the two series merge to [0, 10, 40, 60, 25, 10, 5] (150 requests). Rank 0.95·150 = 142.5 falls in
        // bucket [160, 320) after 135 requests: 160 + (142.5 − 135)/10 · 160 = 280.
        Assert.Equal(280, latency.Value!.Value, 9);
        Assert.Equal(DateTimeOffset.Parse("2026-01-10T12:06:00Z"), latency.ObservedAt);
        var query = MetricsHost.ParseQuery(Assert.Single(_server.LogEntries).RequestMessage.RawQuery);
        Assert.DoesNotContain(query, p => p.Name.StartsWith("aggregation.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pagination_follows_nextPageToken_and_escapes_it()
    {
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet().WithParam("pageToken", "token/with+special=chars")).AtPriority(1)
            .RespondWith(Json("page-2.json"));
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet()).AtPriority(5).RespondWith(Json("page-1.json"));

        var latency = Assert.Single((await ObserveAsync(LatencyOnly())).Signals);

        Assert.Equal(700, latency.Value);
        Assert.Equal(DateTimeOffset.Parse("2026-01-10T12:06:00Z"), latency.ObservedAt);
        var requests = _server.LogEntries.Select(e => e.RequestMessage).ToList();
        Assert.Equal(2, requests.Count);
        Assert.DoesNotContain("pageToken", requests[0].RawQuery);
        Assert.Contains("pageToken=token%2Fwith%2Bspecial%3Dchars", requests[1].RawQuery);
    }

    [Fact]
    public async Task A_429_is_retried_and_the_next_200_is_used()
    {
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet()).InScenario("throttle").WillSetStateTo("recovered")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Content-Type", "application/json").WithBody(MetricsHost.Fixture("CloudMonitoring/error-429.json")));
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet()).InScenario("throttle").WhenStateIs("recovered")
            .RespondWith(Json("aggregated-latency.json"));

        var latency = Assert.Single((await ObserveAsync(LatencyOnly())).Signals);

        Assert.Equal(812.4, latency.Value);
        Assert.Equal([429, 200], _server.LogEntries.Select(e => (int)e.ResponseMessage.StatusCode!));
    }

    [Fact]
    public async Task A_run_of_500s_becomes_a_missing_signal_with_the_reason_after_the_retries()
    {
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(500).WithHeader("Content-Type", "application/json").WithBody(MetricsHost.Fixture("CloudMonitoring/error-500.json")));

        var latency = Assert.Single((await ObserveAsync(LatencyOnly())).Signals);

        Assert.Null(latency.Value);
        Assert.Contains("HTTP 500", latency.Problem);
        Assert.Contains("after retries", latency.Problem);
        Assert.Contains("Internal error encountered.", latency.Problem);
        Assert.Equal(1 + 3, _server.LogEntries.Count());
        Assert.Contains(_logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && e.Message.Contains("latency_p95_ms failed: Cloud Monitoring answered HTTP 500", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Malformed_json_becomes_missing_and_is_not_retried()
    {
        Serve("*", "malformed.json");

        var latency = Assert.Single((await ObserveAsync(LatencyOnly())).Signals);

        Assert.Null(latency.Value);
        Assert.StartsWith("Cloud Monitoring returned malformed JSON", latency.Problem);
        Assert.Single(_server.LogEntries);
    }

    [Fact]
    public async Task An_empty_result_is_missing_never_zero()
    {
        Serve("*", "empty.json");

        var latency = Assert.Single((await ObserveAsync(LatencyOnly())).Signals);

        Assert.Null(latency.Value);
        Assert.False(latency.HasValue);
        Assert.Equal("no data in the last 10 min for loadbalancing.googleapis.com/https/backend_latencies", latency.Problem);
    }

    [Fact]
    public async Task Stale_points_are_reported_with_their_own_time_so_the_engine_sees_their_age()
    {
        Serve("*", "stale.json");

        var latency = Assert.Single((await ObserveAsync(LatencyOnly())).Signals);

        Assert.Equal(640, latency.Value);
        Assert.Equal(TimeSpan.FromMinutes(8), latency.AgeAt(Now));
    }

    [Fact]
    public async Task Points_inside_the_ingest_delay_only_are_missing_as_incomplete()
    {
        Serve("*", "incomplete-only.json");

        var latency = Assert.Single((await ObserveAsync(LatencyOnly())).Signals);

        Assert.Null(latency.Value);
        Assert.Equal("only incomplete points: all 2 end within the ingest delay of 210 s", latency.Problem);
    }

    [Fact]
    public async Task Execution_errors_mark_a_partial_result_which_is_treated_as_missing()
    {
        Serve("*", "execution-errors.json");

        var latency = Assert.Single((await ObserveAsync(LatencyOnly())).Signals);

        Assert.Null(latency.Value);
        Assert.Equal("partial result: Cloud Monitoring reported 1 execution error(s), first code 8: Some time series could not be read: query exceeded the series limit.", latency.Problem);
    }

    [Fact]
    public async Task NaN_points_are_ignored_and_int64_strings_are_read()
    {
        Serve("*cpu/utilization*", "nan.json");
        Serve("*instance_group/size*", "group-size-int64.json");
        Serve("*gpu/utilization*", "gpu-percent.json");

        var observation = await ObserveAsync(GroupOnly());

        var cpu = observation.Find(SignalNames.CpuUtilization)!;
        Assert.Equal(0.42, cpu.Value);
        Assert.Equal(DateTimeOffset.Parse("2026-01-10T12:05:00Z"), cpu.ObservedAt);
        var size = observation.Find(SignalNames.GroupSize)!;
        Assert.Equal(5, size.Value);
        var gpu = observation.Find(SignalNames.GpuUtilization)!;
        Assert.Equal(0.65, gpu.Value!.Value, 12);
        Assert.Equal(3, observation.Signals.Count);

        var filters = _server.LogEntries.Select(e => MetricsHost.ParseQuery(e.RequestMessage.RawQuery).Single(p => p.Name == "filter").Value).ToList();
        Assert.Contains("metric.type = \"compute.googleapis.com/instance/cpu/utilization\" AND resource.type = \"gce_instance\" AND metadata.system_labels.instance_group = \"llm-mig\" AND resource.labels.zone = \"us-central1-a\"", filters);
        Assert.Contains("metric.type = \"compute.googleapis.com/instance_group/size\" AND resource.type = \"instance_group\" AND resource.labels.instance_group_name = \"llm-mig\" AND resource.labels.location = \"us-central1-a\"", filters);
    }

    [Fact]
    public async Task Several_series_where_one_is_expected_are_missing_with_a_hint()
    {
        Serve("*", "two-series.json");
        var settings = GroupOnly();
        settings["Autoscaler:Stacks:inference:Metrics:DisabledSignals:0"] = "group_size";
        settings["Autoscaler:Stacks:inference:Metrics:GpuMetric"] = "None";

        var cpu = Assert.Single((await ObserveAsync(settings)).Signals);

        Assert.Null(cpu.Value);
        Assert.Equal("the query returned 2 series; set a cross-series reducer (and group-by fields) that yields one", cpu.Problem);
    }

    [Fact]
    public async Task A_custom_signal_sends_its_filter_aligner_reducer_and_group_by_escaped()
    {
        Serve("*", "group-size-int64.json");
        var settings = Base();
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Name"] = "queue_per_instance";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Filter"] =
            "metric.type = \"prometheus.googleapis.com/vllm:num_requests_waiting/gauge\" AND resource.labels.namespace = \"a&b=c+d\"";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Aligner"] = "ALIGN_MEAN";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Reducer"] = "REDUCE_MEAN";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:GroupBy:0"] = "resource.labels.cluster";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:GroupBy:1"] = "resource.labels.namespace";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:IngestDelaySeconds"] = "0";

        var queue = Assert.Single((await ObserveAsync(settings)).Signals);

        Assert.Equal(SignalNames.QueuePerInstance, queue.Signal);
        Assert.Equal(5, queue.Value);
        var raw = Assert.Single(_server.LogEntries).RequestMessage.RawQuery!;
        Assert.Contains("%22a%26b%3Dc%2Bd%22", raw);
        var query = MetricsHost.ParseQuery(raw);
        Assert.Equal("metric.type = \"prometheus.googleapis.com/vllm:num_requests_waiting/gauge\" AND resource.labels.namespace = \"a&b=c+d\"", query.Single(p => p.Name == "filter").Value);
        Assert.Equal(["resource.labels.cluster", "resource.labels.namespace"], query.Where(p => p.Name == "aggregation.groupByFields").Select(p => p.Value));
        Assert.Equal("ALIGN_MEAN", query.Single(p => p.Name == "aggregation.perSeriesAligner").Value);
        Assert.Equal("REDUCE_MEAN", query.Single(p => p.Name == "aggregation.crossSeriesReducer").Value);
    }

    [Fact]
    public async Task Signals_of_a_tick_are_fetched_in_parallel_and_one_failure_spares_the_others()
    {
        var delay = TimeSpan.FromMilliseconds(1000);
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet().WithParam("filter", new WildcardMatcher("*cpu/utilization*")))
            .RespondWith(Response.Create().WithStatusCode(503).WithDelay(delay));
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet().WithParam("filter", new WildcardMatcher("*instance_group/size*")))
            .RespondWith(Json("group-size-int64.json").WithDelay(delay));
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet().WithParam("filter", new WildcardMatcher("*gpu/utilization*")))
            .RespondWith(Json("gpu-percent.json").WithDelay(delay));
        var settings = GroupOnly();
        settings["Autoscaler:Metrics:Resilience:MaxRetryAttempts"] = "1";

        var clock = Stopwatch.StartNew();
        var observation = await ObserveAsync(settings);
        clock.Stop();

        Assert.Equal(5, observation.Find(SignalNames.GroupSize)!.Value);
        Assert.Equal(0.65, observation.Find(SignalNames.GpuUtilization)!.Value!.Value, 12);
        Assert.Contains("HTTP 503", observation.Find(SignalNames.CpuUtilization)!.Problem);
        // Seven responses of 1 s (the CPU mean and its instance count are each tried twice; GPU mean, GPU count and size
        // once): sequential would take at least 7 s; in parallel about 2 s.
        Assert.Equal(7, _server.LogEntries.Count());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3.5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Cancellation_passes_through_as_an_exception()
    {
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet()).RespondWith(Json("aggregated-latency.json").WithDelay(TimeSpan.FromSeconds(3)));
        using var provider = MetricsHost.Build(LatencyOnly(), new FrozenClock(Now), new StaticAccessTokenSourceStandIn(MetricsHost.Token), _logs);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName).ObserveAsync("inference", cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_hanging_server_hits_the_per_attempt_timeout_and_the_signal_is_missing()
    {
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet()).RespondWith(Json("aggregated-latency.json").WithDelay(TimeSpan.FromSeconds(2.5)));
        var settings = LatencyOnly();
        settings["Autoscaler:Metrics:Resilience:AttemptTimeoutSeconds"] = "1";
        settings["Autoscaler:Metrics:Resilience:MaxRetryAttempts"] = "1";

        var watch = Stopwatch.StartNew();
        var latency = Assert.Single((await ObserveAsync(settings)).Signals);

        Assert.Null(latency.Value);
        Assert.Equal("request timed out (per-attempt or total timeout, after retries)", latency.Problem);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3.5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task The_token_never_reaches_the_logs_even_at_trace_level()
    {
        Serve("*", "aggregated-latency.json");

        await ObserveAsync(LatencyOnly());

        var all = _logs.All();
        Assert.Contains("System.Net.Http.HttpClient.AiLbAutoscaler.Metrics", all);
        Assert.Contains("Authorization: *", all);
        Assert.DoesNotContain(MetricsHost.Token, all);
    }

    [Fact]
    public async Task Instance_ages_come_from_uptime_of_the_group_vms_still_reporting()
    {
        Serve("*uptime_total*", "uptime.json");
        var settings = Base();
        settings["Autoscaler:Stacks:inference:Metrics:InstanceGroupName"] = "llm-mig";
        settings["Autoscaler:Stacks:inference:Metrics:Region"] = "us-central1";
        settings["Autoscaler:Stacks:inference:Metrics:ReadInstanceAges"] = "true";
        settings["Autoscaler:Stacks:inference:Metrics:GpuMetric"] = "None";
        settings["Autoscaler:Stacks:inference:Metrics:DisabledSignals:0"] = "cpu_utilization";
        settings["Autoscaler:Stacks:inference:Metrics:DisabledSignals:1"] = "group_size";

        var observation = await ObserveAsync(settings);

        Assert.Empty(observation.Signals);
        // a: 3600 s at 12:08 → 3720 s now; b: 60 s at 12:07 → 240 s; the VM last seen at 12:02 is gone.
        Assert.Equal([TimeSpan.FromSeconds(240), TimeSpan.FromSeconds(3720)], observation.InstanceAges);
        var filter = MetricsHost.ParseQuery(Assert.Single(_server.LogEntries).RequestMessage.RawQuery).Single(p => p.Name == "filter").Value;
        Assert.Equal("metric.type = \"compute.googleapis.com/instance/uptime_total\" AND resource.type = \"gce_instance\" AND metadata.system_labels.instance_group = \"llm-mig\" AND resource.labels.zone = starts_with(\"us-central1-\")", filter);
    }

    private const string CpuFilter =
        "metric.type = \"compute.googleapis.com/instance/cpu/utilization\" AND resource.type = \"gce_instance\" AND metadata.system_labels.instance_group = \"llm-mig\" AND resource.labels.zone = \"us-central1-a\"";

    [Fact]
    public async Task A_cpu_mean_carries_the_instance_count_at_its_own_end_time_from_a_REDUCE_COUNT_companion_query()
    {
        ServeMeanAndCount(Json("instance-count.json"));

        var cpu = Assert.Single((await ObserveAsync(CpuOnly())).Signals);

        Assert.Equal(0.5, cpu.Value);
        Assert.Equal(DateTimeOffset.Parse("2026-01-10T12:05:00Z"), cpu.ObservedAt);
        // At 12:05 instances 1001 and 1002 report (1002 with two GPU-style series, counted once); 1003 does not.
        Assert.Equal(2, cpu.Instances);

        var queries = _server.LogEntries.Select(e => MetricsHost.ParseQuery(e.RequestMessage.RawQuery)).ToList();
        Assert.Equal(2, queries.Count);
        var count = Assert.Single(queries, q => q.Contains(("aggregation.crossSeriesReducer", "REDUCE_COUNT")));
        var mean = Assert.Single(queries, q => q.Contains(("aggregation.crossSeriesReducer", "REDUCE_MEAN")));
        Assert.Equal(
        [
            ("filter", CpuFilter),
            ("interval.startTime", "2026-01-10T12:00:00Z"),
            ("interval.endTime", "2026-01-10T12:10:00Z"),
            ("aggregation.alignmentPeriod", "60s"),
            ("aggregation.perSeriesAligner", "ALIGN_MEAN"),
            ("aggregation.crossSeriesReducer", "REDUCE_COUNT"),
            ("aggregation.groupByFields", "resource.labels.instance_id"),
            ("view", "FULL"),
            ("pageSize", "10000"),
        ], count);
        Assert.Equal(mean.Where(p => p.Name != "aggregation.crossSeriesReducer"),
            count.Where(p => p.Name is not "aggregation.crossSeriesReducer" and not "aggregation.groupByFields"));
    }

    [Theory]
    [InlineData("instance-count-other-time.json")] // points at 12:04 and 12:07, none at the mean's 12:05
    [InlineData("instance-count-partial.json")] // has a 12:05 point, but a partial result may miss instances
    public async Task A_count_without_a_usable_point_at_the_means_end_time_leaves_instances_unknown(string countFixture)
    {
        ServeMeanAndCount(Json(countFixture));

        var cpu = Assert.Single((await ObserveAsync(CpuOnly())).Signals);

        Assert.Equal(0.5, cpu.Value);
        Assert.Equal(DateTimeOffset.Parse("2026-01-10T12:05:00Z"), cpu.ObservedAt);
        Assert.Null(cpu.Instances);
    }

    [Fact]
    public async Task A_failing_count_query_leaves_the_signal_present_with_instances_unknown_and_is_logged()
    {
        ServeMeanAndCount(Response.Create().WithStatusCode(500).WithHeader("Content-Type", "application/json")
            .WithBody(MetricsHost.Fixture("CloudMonitoring/error-500.json")));

        var cpu = Assert.Single((await ObserveAsync(CpuOnly())).Signals);

        Assert.Equal(0.5, cpu.Value);
        Assert.Equal(DateTimeOffset.Parse("2026-01-10T12:05:00Z"), cpu.ObservedAt);
        Assert.Null(cpu.Problem);
        Assert.Null(cpu.Instances);
        // The count went through the same resilience pipeline: 1 try + 3 retries.
        Assert.Equal(4, _server.LogEntries.Count(e => e.RequestMessage.RawQuery!.Contains("REDUCE_COUNT", StringComparison.Ordinal)));
        Assert.Contains(_logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && e.Message.Contains("cpu_utilization: instance count query failed", StringComparison.Ordinal)
            && e.Message.Contains("HTTP 500", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_custom_gce_instance_mean_is_counted_too_and_keeps_its_group_by()
    {
        ServeMeanAndCount(Json("instance-count.json"));
        var settings = Base();
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Name"] = "queue_per_instance";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Filter"] =
            "metric.type = \"workload.googleapis.com/vllm.queue\" AND resource.type = \"gce_instance\"";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:GroupBy:0"] = "metadata.system_labels.instance_group";

        var queue = Assert.Single((await ObserveAsync(settings)).Signals);

        // A custom signal's default ingest delay is shorter, so the 12:07 point is chosen, and the count follows it: 3 at 12:07.
        Assert.Equal(0.9, queue.Value);
        Assert.Equal(DateTimeOffset.Parse("2026-01-10T12:07:00Z"), queue.ObservedAt);
        Assert.Equal(3, queue.Instances);
        var count = MetricsHost.ParseQuery(Assert.Single(_server.LogEntries, e => e.RequestMessage.RawQuery!.Contains("REDUCE_COUNT", StringComparison.Ordinal)).RequestMessage.RawQuery);
        Assert.Equal(["metadata.system_labels.instance_group", "resource.labels.instance_id"],
            count.Where(p => p.Name == "aggregation.groupByFields").Select(p => p.Value));
    }

    private Dictionary<string, string?> CpuOnly()
    {
        var settings = GroupOnly();
        settings["Autoscaler:Stacks:inference:Metrics:DisabledSignals:0"] = "group_size";
        settings["Autoscaler:Stacks:inference:Metrics:GpuMetric"] = "None";
        return settings;
    }

    /// <summary>The mean from cpu-mean.json (newest complete point 12:05 = 0.5), the REDUCE_COUNT companion from <paramref name="count"/>.</summary>
    [Fact]
    public async Task The_http_calls_appear_as_children_of_the_metrics_read_span()
    {
        Serve("*backend_latencies*", "aggregated-latency.json");
        var stopped = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is AutoscalerTelemetry.Name or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        ActivitySpanId parent;
        ActivityTraceId trace;
        using (var read = AutoscalerTelemetry.StartSpan(AutoscalerTelemetry.Spans.ReadMetrics, "inference"))
        {
            Assert.NotNull(read);
            (parent, trace) = (read.SpanId, read.TraceId);
            await ObserveAsync(LatencyOnly());
        }

        var http = stopped.Where(a => a.Source.Name == "System.Net.Http" && a.TraceId == trace).ToList();
        Assert.NotEmpty(http);
        Assert.Equal(_server.LogEntries.Count(), http.Count);
        Assert.All(http, a => Assert.Equal(parent, a.ParentSpanId));
        Assert.All(http, a => Assert.Equal("GET", a.GetTagItem("http.request.method")));
    }

    private void ServeMeanAndCount(IResponseBuilder count)
    {
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet().WithParam("aggregation.crossSeriesReducer", "REDUCE_COUNT")).AtPriority(1)
            .RespondWith(count);
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet().WithParam("aggregation.crossSeriesReducer", "REDUCE_MEAN")).AtPriority(2)
            .RespondWith(Json("cpu-mean.json"));
    }

    private async Task<Observation> ObserveAsync(Dictionary<string, string?> settings)
    {
        using var provider = MetricsHost.Build(settings, new FrozenClock(Now), new StaticAccessTokenSourceStandIn(MetricsHost.Token), _logs);
        return await provider.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName).ObserveAsync("inference", CancellationToken.None);
    }

    private Dictionary<string, string?> Base()
    {
        var settings = MetricsHost.FastResilience(TestPorts.UrlOf(_server));
        settings["Autoscaler:Stacks:inference:Metrics:Project"] = "my-proj";
        return settings;
    }

    private Dictionary<string, string?> LatencyOnly()
    {
        var settings = Base();
        settings["Autoscaler:Stacks:inference:Metrics:BackendServiceName"] = "llm-backend";
        settings["Autoscaler:Stacks:inference:Metrics:DisabledSignals:0"] = "request_rate";
        settings["Autoscaler:Stacks:inference:Metrics:DisabledSignals:1"] = "error_rate_5xx";
        return settings;
    }

    private Dictionary<string, string?> GroupOnly()
    {
        var settings = Base();
        settings["Autoscaler:Stacks:inference:Metrics:InstanceGroupName"] = "llm-mig";
        settings["Autoscaler:Stacks:inference:Metrics:Zone"] = "us-central1-a";
        return settings;
    }

    private void Serve(string filterWildcard, string fixture) =>
        _server.Given(Request.Create().WithPath(TimeSeriesPath).UsingGet().WithParam("filter", new WildcardMatcher(filterWildcard)))
            .RespondWith(Json(fixture));

    private static IResponseBuilder Json(string fixture) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(MetricsHost.Fixture("CloudMonitoring/" + fixture));
}
