using AiLbAutoscaler.Adapters.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Metrics.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace AiLbAutoscaler.Metrics.Tests;

/// <summary>
/// The real credential flow: Google.Apis.Auth loads a credential file written by the test and exchanges it for a token,
/// and our auth handler sends that token. What is real: the RSA key (generated here), the JWT the library signs, the token
/// exchange over HTTP, the bearer header. What is a stand-in: the token endpoints (Google's OAuth token URI, the STS
/// endpoint, the Azure instance metadata endpoint) and Cloud Monitoring — all WireMock.Net on 127.0.0.1 answering in the
/// documented shapes.
/// </summary>
[Trait("Area", "Metrics")]
public sealed class CredentialsTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-10T12:10:00Z");
    private readonly WireMockServer _server = TestPorts.StartWireMock();
    private readonly string _dir = Directory.CreateTempSubdirectory("ailb-credentials-").FullName;
    private readonly ListLoggerProvider _logs = new();

    public void Dispose()
    {
        _server.Stop();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_service_account_key_file_is_exchanged_for_a_token_that_goes_out_as_the_bearer_header()
    {
        using var rsa = RSA.Create(2048);
        var keyFile = WriteServiceAccountKey(rsa);
        _server.Given(Request.Create().WithPath("/token").UsingPost())
            .RespondWith(JsonResponse(200, """{ "access_token": "ya29.from-the-token-endpoint", "expires_in": 3600, "token_type": "Bearer" }"""));
        ServeLatency();

        using var provider = Build(keyFile);
        var source = provider.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName);
        var first = await source.ObserveAsync("inference", CancellationToken.None);
        var second = await source.ObserveAsync("inference", CancellationToken.None);

        Assert.Equal(812.4, first.Find(SignalNames.LatencyP95Ms)!.Value);
        Assert.Equal(812.4, second.Find(SignalNames.LatencyP95Ms)!.Value);
        var tokenRequests = _server.LogEntries.Where(e => e.RequestMessage.Path == "/token").ToList();
        Assert.Single(tokenRequests); // cached for the second tick
        var metricsRequests = _server.LogEntries.Where(e => e.RequestMessage.Path.StartsWith("/v3/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, metricsRequests.Count);
        Assert.All(metricsRequests, e => Assert.Equal("Bearer ya29.from-the-token-endpoint", Assert.Single(e.RequestMessage.Headers!["Authorization"])));

        var form = Form(tokenRequests[0].RequestMessage.Body);
        Assert.Equal("urn:ietf:params:oauth:grant-type:jwt-bearer", form["grant_type"]);
        var parts = form["assertion"].Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonNode.Parse(Base64Url(parts[0]))!;
        var claims = JsonNode.Parse(Base64Url(parts[1]))!;
        Assert.Equal("RS256", (string?)header["alg"]);
        Assert.Equal("key-1", (string?)header["kid"]);
        Assert.Equal("metrics-reader@my-proj.iam.gserviceaccount.com", (string?)claims["iss"]);
        Assert.Equal("https://oauth2.googleapis.com/token", (string?)claims["aud"]); // the audience Google's token server expects
        Assert.Equal("https://www.googleapis.com/auth/monitoring.read", (string?)claims["scope"]);
        Assert.True(rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64UrlBytes(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "the assertion must be signed with the key from the file");
        Assert.DoesNotContain("ya29.from-the-token-endpoint", _logs.All());
    }

    [Fact]
    public async Task A_refused_token_request_makes_the_signal_missing_without_calling_the_api()
    {
        using var rsa = RSA.Create(2048);
        var keyFile = WriteServiceAccountKey(rsa);
        _server.Given(Request.Create().WithPath("/token").UsingPost())
            .RespondWith(JsonResponse(400, """{ "error": "invalid_grant", "error_description": "Invalid JWT Signature." }"""));
        ServeLatency();

        using var provider = Build(keyFile);
        var latency = Assert.Single((await provider.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName).ObserveAsync("inference", CancellationToken.None)).Signals);

        Assert.Null(latency.Value);
        Assert.Equal("credentials: token request failed (invalid_grant): Invalid JWT Signature.", latency.Problem);
        Assert.DoesNotContain(_server.LogEntries, e => e.RequestMessage.Path.StartsWith("/v3/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_workload_identity_federation_config_exchanges_an_azure_managed_identity_token_at_sts()
    {
        const string azureToken = "eyJhbGciOiJSUzI1NiJ9.azure-managed-identity-token.sig";
        _server.Given(Request.Create().WithPath("/metadata/identity/oauth2/token").UsingGet().WithHeader("Metadata", "True"))
            .RespondWith(JsonResponse(200, $$"""{ "access_token": "{{azureToken}}", "expires_in": "3599", "token_type": "Bearer" }"""));
        _server.Given(Request.Create().WithPath("/v1/token").UsingPost())
            .RespondWith(JsonResponse(200, """{ "access_token": "ya29.federated", "issued_token_type": "urn:ietf:params:oauth:token-type:access_token", "token_type": "Bearer", "expires_in": 3600 }"""));
        ServeLatency();
        var url = TestPorts.UrlOf(_server);
        var config = Path.Combine(_dir, "wif.json");
        File.WriteAllText(config, new JsonObject
        {
            ["type"] = "external_account",
            ["audience"] = "//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/azure-pool/providers/azure-provider",
            ["subject_token_type"] = "urn:ietf:params:oauth:token-type:jwt",
            ["token_url"] = $"{url}/v1/token",
            ["credential_source"] = new JsonObject
            {
                ["url"] = $"{url}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://gcp-wif",
                ["headers"] = new JsonObject { ["Metadata"] = "True" },
                ["format"] = new JsonObject { ["type"] = "json", ["subject_token_field_name"] = "access_token" },
            },
        }.ToJsonString());

        using var provider = Build(config);
        var latency = Assert.Single((await provider.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName).ObserveAsync("inference", CancellationToken.None)).Signals);

        Assert.Equal(812.4, latency.Value);
        var sts = Form(Assert.Single(_server.LogEntries, e => e.RequestMessage.Path == "/v1/token").RequestMessage.Body);
        Assert.Equal("urn:ietf:params:oauth:grant-type:token-exchange", sts["grant_type"]);
        Assert.Equal(azureToken, sts["subject_token"]);
        Assert.Equal("urn:ietf:params:oauth:token-type:jwt", sts["subject_token_type"]);
        Assert.Contains("https://www.googleapis.com/auth/monitoring.read", sts["scope"]);
        var metrics = Assert.Single(_server.LogEntries, e => e.RequestMessage.Path.StartsWith("/v3/", StringComparison.Ordinal));
        Assert.Equal("Bearer ya29.federated", Assert.Single(metrics.RequestMessage.Headers!["Authorization"]));
        Assert.DoesNotContain(azureToken, _logs.All());
    }

    [Fact]
    public async Task A_credential_file_of_an_unexpected_type_is_reported_without_its_content()
    {
        var file = Path.Combine(_dir, "weird.json");
        File.WriteAllText(file, """{ "type": "gdch_service_account", "private_key": "SECRET-KEY-MATERIAL" }""");
        ServeLatency();

        using var provider = Build(file);
        var latency = Assert.Single((await provider.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName).ObserveAsync("inference", CancellationToken.None)).Signals);

        Assert.StartsWith("credentials: Autoscaler:Metrics:CredentialsFile", latency.Problem);
        Assert.Contains("has type 'gdch_service_account'", latency.Problem);
        Assert.DoesNotContain("SECRET-KEY-MATERIAL", latency.Problem + _logs.All());
    }

    private ServiceProvider Build(string credentialsFile)
    {
        var settings = MetricsHost.FastResilience(TestPorts.UrlOf(_server));
        settings["Autoscaler:Metrics:CredentialsFile"] = credentialsFile;
        settings["Autoscaler:Stacks:inference:Metrics:Project"] = "my-proj";
        settings["Autoscaler:Stacks:inference:Metrics:BackendServiceName"] = "llm-backend";
        settings["Autoscaler:Stacks:inference:Metrics:DisabledSignals:0"] = "request_rate";
        settings["Autoscaler:Stacks:inference:Metrics:DisabledSignals:1"] = "error_rate_5xx";
        return MetricsHost.Build(settings, new FrozenClock(Now), tokens: null, _logs);
    }

    private string WriteServiceAccountKey(RSA rsa) => MetricsHost.WriteServiceAccountKey(_dir, rsa, TestPorts.UrlOf(_server));

    private void ServeLatency() =>
        _server.Given(Request.Create().WithPath("/v3/projects/my-proj/timeSeries").UsingGet())
            .RespondWith(JsonResponse(200, MetricsHost.Fixture("CloudMonitoring/aggregated-latency.json")));

    private static IResponseBuilder JsonResponse(int status, string body) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);

    private static Dictionary<string, string> Form(string? body) =>
        (body ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));

    private static byte[] Base64UrlBytes(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b.PadRight(b.Length + ((4 - (b.Length % 4)) % 4), '='));
    }

    private static string Base64Url(string s) => Encoding.UTF8.GetString(Base64UrlBytes(s));
}
