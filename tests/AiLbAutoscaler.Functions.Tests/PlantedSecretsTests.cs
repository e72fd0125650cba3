using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiLbAutoscaler.Functions.Functions;
using AiLbAutoscaler.Pulumi.Tests;
using AiLbAutoscaler.Storage.Tests.Azurite;
using Azure.Data.Tables;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WmResponse = WireMock.ResponseBuilders.Response;
using WireMock.Server;
using WireMock.Settings;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>
/// Issue 9's planted-secrets test. Distinct secrets go into every secret-bearing setting and credential file; then every
/// failure path runs through the Functions app with its real adapters: the pulumi CLI (a STAND-IN that echoes its
/// environment, argv and credential files), Cloud Monitoring and Google's token endpoint (WireMock.Net stand-ins on
/// 127.0.0.1 that echo the request's headers and body into 400/401/503 answers), and Azure Storage (a real Azurite,
/// once with the right key and once with a planted wrong one). Every HTTP body, log line, audit row and state field is
/// then searched for each secret in each of its escaped forms and fragments.
/// </summary>
[Trait("Area", "Functions")]
public sealed class PlantedSecretsTests : IAsyncLifetime
{
    private const string Stack = "inference";
    private const string ProviderToken = "planted-provider-oauth-token-5521aa";
    private const string HostOnlyToken = "planted-host-only-api-token-90c3d1";
    private const string WrongAccountKey = "UGxhbnRlZFdyb25nQWNjb3VudEtleUZvclRoZVN0b3JhZ2VBdXRoRmFpbHVyZTAx";
    private const string AccessToken = "ya29.planted-google-access-token-77e1f0";
    private readonly AzuriteServer _azurite = new();
    private readonly WireMockServer _google = WireMockServer.Start(new WireMockServerSettings
    {
        Urls = [$"http://127.0.0.1:{AiLbAutoscaler.Tests.Shared.LoopbackPorts.Free()}"],
        StartAdminInterface = false,
    });

    private readonly StandInPulumi _pulumi = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("ailb-planted-").FullName;
    private readonly List<(string Where, string Text)> _places = [];
    private string _metricsKey = "";

    public Task InitializeAsync()
    {
        // Host secrets in the process environment: one the pulumi child needs (GOOGLE_*), one it must never get.
        Environment.SetEnvironmentVariable("GOOGLE_OAUTH_ACCESS_TOKEN", ProviderToken);
        Environment.SetEnvironmentVariable("AILB_HOST_API_TOKEN", HostOnlyToken);
        return _azurite.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _azurite.DisposeAsync();
        _google.Stop();
        _pulumi.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task No_planted_secret_reaches_a_log_line_an_http_body_an_audit_row_or_a_state_field()
    {
        ServeGoogleThatEchoes();
        _pulumi.OutputsTargetSize(2).On("up", exit: 1, action: "echo-secrets");

        await using (var app = await StartAsync(_azurite.ConnectionString))
        {
            // 1. The token endpoint echoes the signed assertion (400), 2. Cloud Monitoring echoes the bearer header (401/503).
            await CallAsync(app, "evaluate (token endpoint echo)", f => f.Get<ScalingFunctions>().EvaluateAsync(TestApp.Post(null, "?dryRun=true"), Stack, default));
            await CallAsync(app, "evaluate (metrics echo)", f => f.Get<ScalingFunctions>().EvaluateAsync(TestApp.Post(null, "?dryRun=true"), Stack, default));
            await app.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), default);

            // 3. pulumi up fails and echoes its environment, argv and credential files: 502, pending reason, audit row.
            await CallAsync(app, "rescale (pulumi up echo)", f => f.Get<ScalingFunctions>().RescaleAsync(
                TestApp.Post("""{"targetSize":5,"reason":"planted secrets test","holdMinutes":10}"""), Stack, default));
            await CallAsync(app, "status (pending)", f => f.Get<StackQueryFunctions>().StatusAsync(TestApp.Get(), Stack, default));

            // 4. Reading the size fails the same way: currentSizeError, decision-failed, a failed tick.
            _pulumi.On("stack-output", exit: 1, action: "echo-secrets");
            await CallAsync(app, "status (size error)", f => f.Get<StackQueryFunctions>().StatusAsync(TestApp.Get(), Stack, default));
            await CallAsync(app, "evaluate (size error)", f => f.Get<ScalingFunctions>().EvaluateAsync(TestApp.Post(null, "?dryRun=false"), Stack, default));
            await app.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), default);
            await CallAsync(app, "history", f => f.Get<StackQueryFunctions>().HistoryAsync(TestApp.Get(), Stack, default));
            Collect(app, "log (app with storage)");
        }

        // 5. Storage refuses the planted wrong key.
        _pulumi.OutputsTargetSize(2);
        var wrongKey = _azurite.ConnectionString.Replace(AzuriteServer.AccountKey, WrongAccountKey, StringComparison.Ordinal);
        await using (var app = await StartAsync(wrongKey))
        {
            await CallAsync(app, "evaluate (storage auth failure)", f => f.Get<ScalingFunctions>().EvaluateAsync(TestApp.Post(null, "?dryRun=false"), Stack, default));
            await CallAsync(app, "rescale (storage auth failure)", f => f.Get<ScalingFunctions>().RescaleAsync(
                TestApp.Post("""{"targetSize":4,"reason":"storage auth"}"""), Stack, default));
            await CallAsync(app, "status (storage auth failure)", f => f.Get<StackQueryFunctions>().StatusAsync(TestApp.Get(), Stack, default));
            await CallAsync(app, "history (storage auth failure)", f => f.Get<StackQueryFunctions>().HistoryAsync(TestApp.Get(), Stack, default));
            await app.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), default);
            Collect(app, "log (app with wrong storage key)");
        }

        await CollectStorageAsync();

        // The paths ran: each failure is visible, masked.
        var all = string.Join("\n", _places.Select(p => p.Text));
        Assert.Contains("decision-failed", all);
        Assert.Contains("actuation-failed", all);
        Assert.Contains(_places, p => p.Where.StartsWith("http", StringComparison.Ordinal) && p.Where.Contains("storage auth", StringComparison.Ordinal) && p.Text.Contains("internal-error", StringComparison.Ordinal));
        Assert.Contains(_places, p => p.Where == "log (app with wrong storage key)" && p.Text.Contains("Status: 403", StringComparison.Ordinal));
        Assert.Contains("HTTP 401", all);
        Assert.Contains("invalid_grant", all);
        Assert.Contains("PULUMI_CONFIG_PASSPHRASE=***", all);
        Assert.Contains(_places, p => p.Where.StartsWith("audit row", StringComparison.Ordinal));
        Assert.Contains(_places, p => p.Where.StartsWith("state field", StringComparison.Ordinal) && p.Text.Contains("***", StringComparison.Ordinal));

        var secrets = PlantedSecrets();
        var forms = secrets.SelectMany(s => Forms(s.Value).Select(f => (s.Name, Form: f))).ToList();
        var leaks = (from p in _places from f in forms where p.Text.Contains(f.Form, StringComparison.Ordinal) select $"{f.Name} in {p.Where}").Distinct().ToList();
        Assert.True(leaks.Count == 0, "leaked: " + string.Join("; ", leaks));
        Assert.True(secrets.Count >= 10, $"{secrets.Count} secrets planted");
        Console.WriteLine($"planted-secrets: {secrets.Count} secrets ({forms.Count} forms) searched in {_places.Count} places " +
            $"({_places.Count(p => p.Where.StartsWith("http", StringComparison.Ordinal))} HTTP bodies, {_places.Count(p => p.Where.StartsWith("log", StringComparison.Ordinal))} log lines, " +
            $"{_places.Count(p => p.Where.StartsWith("audit", StringComparison.Ordinal))} audit rows, {_places.Count(p => p.Where.StartsWith("state", StringComparison.Ordinal))} state fields): none found");
    }

    /// <summary>Each planted secret by where it was planted.</summary>
    private List<(string Name, string Value)> PlantedSecrets() =>
    [
        ("PULUMI_CONFIG_PASSPHRASE", StandInEnvironment.Passphrase),
        ("PULUMI_ACCESS_TOKEN", StandInEnvironment.AccessToken),
        ("GOOGLE_CREDENTIALS private key line 1", StandInEnvironment.PrivateKeyLine1),
        ("GOOGLE_CREDENTIALS private key line 2", StandInEnvironment.PrivateKeyLine2),
        ("GOOGLE_CREDENTIALS private_key_id", "standinkeyid0123456789abcdef"),
        ("AzureWebJobsStorage AccountKey (host env)", StandInEnvironment.StorageAccountKey),
        ("PULUMI_CONFIG_PASSPHRASE_FILE content", StandInEnvironment.PassphraseFileContent),
        ("GOOGLE_APPLICATION_CREDENTIALS file key", StandInEnvironment.AdcKeyLine),
        ("GOOGLE_OAUTH_ACCESS_TOKEN (env, passed to the child)", ProviderToken),
        ("AILB_HOST_API_TOKEN (env, host only)", HostOnlyToken),
        ("Autoscaler:Storage:ConnectionString wrong AccountKey", WrongAccountKey),
        ("Metrics CredentialsFile private key", _metricsKey),
        ("Google access token", AccessToken),
    ];

    /// <summary>Raw, JSON-escaped (strict, relaxed, twice), URL-encoded, base64, and 20-character fragments from both ends and the middle.</summary>
    private static IEnumerable<string> Forms(string secret)
    {
        var relaxed = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var forms = new List<string>
        {
            secret, JsonSerializer.Serialize(secret)[1..^1], JsonSerializer.Serialize(secret, relaxed)[1..^1],
            JsonSerializer.Serialize(JsonSerializer.Serialize(secret))[1..^1], Uri.EscapeDataString(secret),
            Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)),
        };
        foreach (var line in secret.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith("-----", StringComparison.Ordinal)))
        {
            forms.Add(line[..Math.Min(20, line.Length)]);
            forms.Add(line[^Math.Min(20, line.Length)..]);
            forms.Add(line.Length > 40 ? line[10..30] : line);
        }

        return forms.Distinct();
    }

    private async Task<TestApp> StartAsync(string storageConnection)
    {
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportPkcs8PrivateKeyPem();
        _metricsKey = pem;
        var keyFile = Path.Combine(_dir, $"metrics-sa-{Guid.NewGuid():N}.json");
        File.WriteAllText(keyFile, new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = "my-proj",
            ["private_key_id"] = "metrics-key-1",
            ["private_key"] = pem,
            ["client_email"] = "metrics-reader@my-proj.iam.gserviceaccount.com",
            ["token_uri"] = $"{_google.Url}/token",
        }.ToJsonString());
        var n = Guid.NewGuid().ToString("N")[..8];
        var settings = TestApp.DefaultSettings();
        settings.Remove("Autoscaler:Stacks:batch:Policy:MinSize");
        settings.Remove("Autoscaler:Stacks:batch:Policy:MaxSize");
        foreach (var (k, v) in new Dictionary<string, string?>
        {
            ["Autoscaler:Metrics:Source"] = "CloudMonitoring",
            ["Autoscaler:Metrics:CloudMonitoringEndpoint"] = _google.Url,
            ["Autoscaler:Metrics:CredentialsFile"] = keyFile,
            ["Autoscaler:Metrics:Resilience:MaxRetryAttempts"] = "1",
            ["Autoscaler:Metrics:Resilience:BaseDelayMilliseconds"] = "5",
            ["Autoscaler:Stacks:inference:Metrics:Project"] = "my-proj",
            ["Autoscaler:Stacks:inference:Metrics:BackendServiceName"] = "llm-backend",
            ["Autoscaler:Actuator"] = "Pulumi",
            ["Autoscaler:Stacks:inference:Pulumi:Backend"] = "Cli",
            ["Autoscaler:Stacks:inference:Pulumi:WorkDir"] = StandInPulumi.InfraDir,
            ["Autoscaler:Stacks:inference:Pulumi:StackName"] = "dev",
            ["Autoscaler:Stacks:inference:Pulumi:Binary"] = _pulumi.Binary,
            ["Autoscaler:Storage:Enabled"] = "true",
            ["Autoscaler:Storage:ConnectionString"] = storageConnection,
            ["Autoscaler:Storage:StateTableName"] = "State" + n,
            ["Autoscaler:Storage:AuditTableName"] = "Audit" + n,
            ["Autoscaler:Storage:LeaseContainerName"] = "leases-" + n,
            ["Autoscaler:Storage:RequestTimeoutSeconds"] = "5",
            ["Autoscaler:Storage:MaxRetries"] = "0",
            ["Autoscaler:Dispatch"] = "Inline", // the timer's own ticks carry the planted secrets through the adapters here
        })
        {
            settings[k] = v;
        }

        // Real time: the HTTP resilience pipeline's delays and the storage timeouts must run.
        return await TestApp.StartAsync(settings, s => s.AddSingleton(TimeProvider.System));
    }

    private void ServeGoogleThatEchoes()
    {
        _google.Given(Request.Create().WithPath("/token").UsingPost()).InScenario("token").WillSetStateTo("issued")
            .RespondWith(WmResponse.Create().WithStatusCode(400).WithHeader("Content-Type", "application/json")
                .WithBody("{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT, request was: {{request.body}}\"}").WithTransformer());
        _google.Given(Request.Create().WithPath("/token").UsingPost()).InScenario("token").WhenStateIs("issued")
            .RespondWith(WmResponse.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody($"{{\"access_token\":\"{AccessToken}\",\"expires_in\":3600,\"token_type\":\"Bearer\"}}"));
        _google.Given(Request.Create().WithPath("/v3/projects/my-proj/timeSeries").WithParam("filter", new WireMock.Matchers.WildcardMatcher("*latencies*")).UsingGet())
            .AtPriority(1)
            .RespondWith(WmResponse.Create().WithStatusCode(401).WithHeader("Content-Type", "application/json")
                .WithBody("{\"error\":{\"code\":401,\"message\":\"invalid credentials {{request.headers.Authorization}}\",\"status\":\"UNAUTHENTICATED\"}}").WithTransformer());
        _google.Given(Request.Create().WithPath("/v3/projects/my-proj/timeSeries").UsingGet()).AtPriority(2)
            .RespondWith(WmResponse.Create().WithStatusCode(503).WithHeader("Content-Type", "text/plain")
                .WithBody("upstream failed; request headers: Authorization={{request.headers.Authorization}}").WithTransformer());
    }

    private async Task CallAsync(TestApp app, string what, Func<TestApp, Task<Microsoft.AspNetCore.Mvc.IActionResult>> call)
    {
        var result = await call(app);
        var request = TestApp.Post(null);
        request.HttpContext.RequestServices = app.Host.Services;
        var response = await TestApp.ExecuteAsync(result, request);
        _places.Add(($"http {what} ({response.Status})", response.Text));
    }

    private void Collect(TestApp app, string where)
    {
        foreach (var e in app.Log.Entries)
        {
            _places.Add((where, $"{e.Level} {e.Category}: {e.Message} {e.Exception}"));
        }
    }

    /// <summary>Every property of every entity in every table of the (right-key) Azurite: audit rows and state.</summary>
    private async Task CollectStorageAsync()
    {
        var service = new TableServiceClient(_azurite.ConnectionString);
        await foreach (var table in service.QueryAsync())
        {
            var kind = table.Name.StartsWith("Audit", StringComparison.Ordinal) ? "audit row" : "state field";
            await foreach (var entity in service.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                if (kind == "audit row")
                {
                    _places.Add(($"audit row {table.Name}/{entity.RowKey}", string.Join("\n", entity.Select(p => $"{p.Key}={p.Value}"))));
                }
                else
                {
                    _places.AddRange(entity.Select(p => ($"state field {table.Name}/{entity.RowKey}/{p.Key}", $"{p.Value}")));
                }
            }
        }
    }
}
