using AiLbAutoscaler.Adapters.Metrics;
using System.Security.Cryptography;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Metrics.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace AiLbAutoscaler.Metrics.Tests;

/// <summary>
/// Error bodies that echo the request's credentials (issue 9, defect 4). The servers are stand-ins (WireMock.Net on
/// 127.0.0.1) that answer with the bearer header or the token request's form copied into the body, as a misconfigured
/// proxy or a verbose gateway does. The secret must reach neither the reading's problem nor any log line.
/// </summary>
[Trait("Area", "Metrics")]
public sealed class SecretEchoTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-10T12:10:00Z");
    private readonly WireMockServer _server = TestPorts.StartWireMock();
    private readonly ListLoggerProvider _logs = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("ailb-echo-").FullName;

    public void Dispose()
    {
        _server.Stop();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_prometheus_400_that_echoes_the_bearer_token_is_redacted()
    {
        _server.Given(Request.Create().WithPath("/api/v1/query").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(400).WithHeader("Content-Type", "application/json").WithBody(
                "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter; request had Authorization: {{request.headers.Authorization}}\"}")
                .WithTransformer());
        var settings = MetricsHost.FastResilience(null);
        settings["Autoscaler:Stacks:inference:Metrics:Source"] = "Prometheus";
        settings["Autoscaler:Stacks:inference:Metrics:PrometheusUrl"] = TestPorts.UrlOf(_server);
        settings["Autoscaler:Stacks:inference:Metrics:PrometheusAuth"] = "Google";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Name"] = "queue_per_instance";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Query"] = "max(vllm:num_requests_waiting)";
        using var provider = MetricsHost.Build(settings, new FrozenClock(Now), new StaticAccessTokenSourceStandIn(MetricsHost.Token), _logs);

        var reading = Assert.Single((await provider.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName).ObserveAsync("inference", CancellationToken.None)).Signals);

        Assert.Null(reading.Value);
        Assert.Contains("HTTP 400", reading.Problem);
        Assert.Contains("Bearer ***", reading.Problem); // the echo is visible as an echo, the token is not
        Assert.DoesNotContain(MetricsHost.Token, reading.Problem);
        Assert.DoesNotContain(MetricsHost.Token, _logs.All());
    }

    [Fact]
    public async Task A_cloud_monitoring_401_that_echoes_the_bearer_token_is_redacted()
    {
        _server.Given(Request.Create().WithPath("/v3/projects/my-proj/timeSeries").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(401).WithHeader("Content-Type", "application/json").WithBody(
                "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials: {{request.headers.Authorization}}\",\"status\":\"UNAUTHENTICATED\"}}")
                .WithTransformer());
        var settings = MetricsHost.FastResilience(TestPorts.UrlOf(_server));
        settings["Autoscaler:Stacks:inference:Metrics:Project"] = "my-proj";
        settings["Autoscaler:Stacks:inference:Metrics:BackendServiceName"] = "llm-backend";
        settings["Autoscaler:Stacks:inference:Metrics:DisabledSignals:0"] = "request_rate";
        settings["Autoscaler:Stacks:inference:Metrics:DisabledSignals:1"] = "error_rate_5xx";
        using var provider = MetricsHost.Build(settings, new FrozenClock(Now), new StaticAccessTokenSourceStandIn(MetricsHost.Token), _logs);

        var readings = (await provider.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName).ObserveAsync("inference", CancellationToken.None)).Signals;

        Assert.NotEmpty(readings);
        Assert.All(readings, r => Assert.Null(r.Value));
        Assert.Contains(readings, r => r.Problem!.Contains("HTTP 401", StringComparison.Ordinal));
        Assert.All(readings, r => Assert.DoesNotContain("test-static-token", r.Problem));
        Assert.DoesNotContain("test-static-token", _logs.All());
    }

    [Fact]
    public async Task A_token_endpoint_that_echoes_the_signed_assertion_leaks_it_into_no_log_at_any_level()
    {
        using var rsa = RSA.Create(2048);
        var keyFile = MetricsHost.WriteServiceAccountKey(_dir, rsa, TestPorts.UrlOf(_server));
        _server.Given(Request.Create().WithPath("/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(400).WithHeader("Content-Type", "application/json").WithBody(
                "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT: {{request.body}}\"}").WithTransformer());
        var settings = MetricsHost.FastResilience(TestPorts.UrlOf(_server));
        settings["Autoscaler:Metrics:CredentialsFile"] = keyFile;
        settings["Autoscaler:Stacks:inference:Metrics:Project"] = "my-proj";
        settings["Autoscaler:Stacks:inference:Metrics:BackendServiceName"] = "llm-backend";
        settings["Autoscaler:Stacks:inference:Metrics:DisabledSignals:0"] = "request_rate";
        settings["Autoscaler:Stacks:inference:Metrics:DisabledSignals:1"] = "error_rate_5xx";
        using var provider = MetricsHost.Build(settings, new FrozenClock(Now), tokens: null, _logs);

        var latency = Assert.Single((await provider.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName).ObserveAsync("inference", CancellationToken.None)).Signals);

        Assert.Null(latency.Value);
        var body = Assert.Single(_server.LogEntries, e => e.RequestMessage.Path == "/token").RequestMessage.Body!;
        var assertion = Uri.UnescapeDataString(body.Split('&').Single(p => p.StartsWith("assertion=", StringComparison.Ordinal))["assertion=".Length..]);
        var signature = assertion.Split('.')[2];
        Assert.Contains("invalid_grant", latency.Problem);
        Assert.DoesNotContain(signature, latency.Problem);
        Assert.DoesNotContain(signature, _logs.All());
        Assert.DoesNotContain(assertion.Split('.')[1], _logs.All());
    }
}
