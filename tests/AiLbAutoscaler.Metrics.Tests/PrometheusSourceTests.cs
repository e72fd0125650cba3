using AiLbAutoscaler.Adapters.Metrics;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Metrics.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AiLbAutoscaler.Metrics.Tests;

/// <summary>
/// The PromQL source against a REAL Prometheus server (see <see cref="PrometheusServerFixture"/>): real instant queries,
/// real PromQL evaluation, real staleness (lookback) and real error responses. Nothing here is a stand-in except the frozen
/// "now", which is the instant the fixture's samples are anchored to.
/// </summary>
[Trait("Area", "Metrics")]
public sealed class PrometheusSourceTests(PrometheusServerFixture prometheus) : IClassFixture<PrometheusServerFixture>
{
    [Fact]
    public async Task An_aggregated_expression_reads_one_value_stamped_with_the_evaluation_time()
    {
        // '+', '"', '|', '{' and '~' must survive the query string: '+' sent raw would read as a space (a parse error).
        var reading = await ReadAsync(SignalNames.QueuePerInstance, "avg(vllm_num_requests_waiting{instance=~\"a|b\"}) + 0");

        Assert.Equal(4, reading.Value); // (3 + 5) / 2
        Assert.Equal(prometheus.Now, reading.ObservedAt);
        Assert.Null(reading.Problem);
    }

    [Fact]
    public async Task A_rate_over_a_counter_is_evaluated_by_the_server()
    {
        var reading = await ReadAsync(SignalNames.RequestRate, "sum(rate(http_requests_total[5m]))");

        Assert.Equal(10.0 / 15, reading.Value!.Value, 6);
    }

    [Fact]
    public async Task Scale_turns_a_dcgm_percentage_into_a_fraction()
    {
        var reading = await ReadAsync(SignalNames.GpuUtilization, "avg(DCGM_FI_DEV_GPU_UTIL)", scale: "0.01");

        Assert.Equal(0.7, reading.Value!.Value, 9);
    }

    [Fact]
    public async Task A_series_older_than_the_lookback_is_missing_not_zero()
    {
        var reading = await ReadAsync("stale", "max(stale_gauge)");

        Assert.Null(reading.Value);
        Assert.Equal("no series: the metric is absent or stale (older than the lookback delta)", reading.Problem);
    }

    [Fact]
    public async Task Several_series_are_missing_with_a_hint_to_aggregate()
    {
        var reading = await ReadAsync(SignalNames.QueuePerInstance, "vllm_num_requests_waiting");

        Assert.Null(reading.Value);
        Assert.Equal("the expression returned 2 series; aggregate it to one (for example sum(...) or avg(...))", reading.Problem);
    }

    [Fact]
    public async Task NaN_is_missing()
    {
        var reading = await ReadAsync("ratio", "sum(vllm_num_requests_waiting) * 0 / 0");

        Assert.Null(reading.Value);
        Assert.Equal("the expression evaluated to NaN", reading.Problem);
    }

    [Fact]
    public async Task A_bad_expression_is_missing_with_the_servers_error()
    {
        var reading = await ReadAsync("broken", "sum(rate(http_requests_total[5]))");

        Assert.Null(reading.Value);
        Assert.StartsWith("Prometheus answered HTTP 400 (BadRequest): bad_data:", reading.Problem);
        Assert.Contains("parse error", reading.Problem);
    }

    [Fact]
    public async Task An_unreachable_server_is_missing_after_the_retries()
    {
        var reading = await ReadAsync("down", "up", url: $"http://127.0.0.1:{TestPorts.Free()}");

        Assert.Null(reading.Value);
        Assert.StartsWith("transport error after retries:", reading.Problem);
    }

    [Fact]
    public async Task A_CountQuery_fills_the_instances_of_the_mean_at_the_same_evaluation_time()
    {
        var reading = await ReadAsync(SignalNames.QueuePerInstance, "avg(vllm_num_requests_waiting)", countQuery: "count(vllm_num_requests_waiting)");

        Assert.Equal(4, reading.Value);
        Assert.Equal(prometheus.Now, reading.ObservedAt);
        Assert.Equal(2, reading.Instances); // instances a and b
    }

    [Theory]
    [InlineData("count(vllm_num_requests_waiting) / 4")] // 0.5: not a whole positive count
    [InlineData("count(no_such_metric)")] // no series
    [InlineData("count(")] // the server rejects it (bad_data)
    public async Task An_unusable_or_failing_CountQuery_leaves_the_signal_present_with_instances_unknown(string countQuery)
    {
        var reading = await ReadAsync(SignalNames.QueuePerInstance, "avg(vllm_num_requests_waiting)", countQuery: countQuery);

        Assert.Equal(4, reading.Value);
        Assert.Null(reading.Problem);
        Assert.Null(reading.Instances);
    }

    private async Task<SignalReading> ReadAsync(string name, string query, string scale = "1", string? url = null, string? countQuery = null)
    {
        var settings = MetricsHost.FastResilience(null);
        settings["Autoscaler:Stacks:inference:Metrics:Source"] = "Prometheus";
        settings["Autoscaler:Stacks:inference:Metrics:PrometheusUrl"] = url ?? prometheus.Url;
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Name"] = name;
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Query"] = query;
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Scale"] = scale;
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:CountQuery"] = countQuery;
        using var provider = MetricsHost.Build(settings, new FrozenClock(prometheus.Now), new StaticAccessTokenSourceStandIn(MetricsHost.Token));
        var observation = await provider.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName).ObserveAsync("inference", CancellationToken.None);
        Assert.Null(observation.InstanceAges);
        return Assert.Single(observation.Signals);
    }
}
