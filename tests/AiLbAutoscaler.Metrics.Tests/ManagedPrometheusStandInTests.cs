using AiLbAutoscaler.Adapters.Metrics;
using AiLbAutoscaler.Adapters.Metrics.Configuration;
using AiLbAutoscaler.Adapters.Metrics.Prometheus;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Metrics.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace AiLbAutoscaler.Metrics.Tests;

/// <summary>
/// The PromQL source's request to Google Cloud Managed Service for Prometheus: path below the documented
/// <c>/v1/projects/{project}/location/global/prometheus</c> base, query escaping and the bearer header. The server is a
/// stand-in (WireMock.Net on 127.0.0.1 answering in the Prometheus HTTP API's documented envelope); PromQL evaluation
/// itself is tested against a real Prometheus in <see cref="PrometheusSourceTests"/>.
/// </summary>
[Trait("Area", "Metrics")]
public sealed class ManagedPrometheusStandInTests : IDisposable
{
    private const string BasePath = "/v1/projects/my-proj/location/global/prometheus";
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-10T12:10:00Z");
    private readonly WireMockServer _server = TestPorts.StartWireMock();

    public ManagedPrometheusStandInTests() =>
        _server.Given(Request.Create().WithPath(BasePath + "/api/v1/query").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(
                """{ "status": "success", "data": { "resultType": "vector", "result": [ { "metric": {}, "value": [1768046940.5, "12.25"] } ] } }"""));

    public void Dispose() => _server.Stop();

    [Theory]
    [InlineData("Google", true)]
    [InlineData("None", false)]
    [InlineData("Auto", false)] // 127.0.0.1 is not googleapis.com
    public async Task The_bearer_header_goes_only_where_google_credentials_apply(string auth, bool expectHeader)
    {
        var settings = MetricsHost.FastResilience(null);
        settings["Autoscaler:Stacks:inference:Metrics:Source"] = "Prometheus";
        settings["Autoscaler:Stacks:inference:Metrics:PrometheusUrl"] = TestPorts.UrlOf(_server) + BasePath;
        settings["Autoscaler:Stacks:inference:Metrics:PrometheusAuth"] = auth;
        settings["Autoscaler:Stacks:inference:Metrics:PrometheusEvaluationDelaySeconds"] = "60";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Name"] = "queue_per_instance";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Query"] =
            "max(max_over_time({\"__name__\"=\"vllm:num_requests_waiting\",\"monitored_resource\"=\"prometheus_target\"}[1m]))";
        using var provider = MetricsHost.Build(settings, new FrozenClock(Now), new StaticAccessTokenSourceStandIn(MetricsHost.Token));

        var reading = Assert.Single((await provider.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName).ObserveAsync("inference", CancellationToken.None)).Signals);

        Assert.Equal(12.25, reading.Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1768046940500), reading.ObservedAt);
        var request = Assert.Single(_server.LogEntries).RequestMessage;
        Assert.Equal(expectHeader, request.Headers!.ContainsKey("Authorization"));
        if (expectHeader)
        {
            Assert.Equal($"Bearer {MetricsHost.Token}", Assert.Single(request.Headers["Authorization"]));
        }

        var query = MetricsHost.ParseQuery(request.RawQuery);
        Assert.Equal("max(max_over_time({\"__name__\"=\"vllm:num_requests_waiting\",\"monitored_resource\"=\"prometheus_target\"}[1m]))", query.Single(p => p.Name == "query").Value);
        Assert.Equal((Now.ToUnixTimeSeconds() - 60).ToString(System.Globalization.CultureInfo.InvariantCulture), query.Single(p => p.Name == "time").Value);
    }

    [Theory]
    [InlineData("https://monitoring.googleapis.com/v1/projects/p/location/global/prometheus", true)]
    [InlineData("http://prometheus.internal:9090", false)]
    public void Auto_uses_google_credentials_for_googleapis_hosts_only(string url, bool expected) =>
        Assert.Equal(expected, PrometheusReader.UsesGoogleCredentials(new StackMetricsOptions { PrometheusUrl = url }));
}
