using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AiLbAutoscaler.Adapters.Metrics.Credentials;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WireMock.Server;
using WireMock.Settings;

namespace AiLbAutoscaler.Metrics.Tests.Support;

/// <summary>
/// A clock frozen at one instant for "now", whose timers and delays are the system's. The HTTP resilience pipeline takes
/// its TimeProvider from DI, so a FakeTimeProvider there would stall retries and timeouts; this keeps "now" deterministic
/// while backoff and timeouts run in real time.
/// </summary>
internal sealed class FrozenClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Stand-in for Google credentials in tests that are not about credentials: always the same token.</summary>
internal sealed class StaticAccessTokenSourceStandIn(string token) : IAccessTokenSource
{
    public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken) => Task.FromResult(token);
}

/// <summary>Collects every log line (all levels, including HttpClient's trace-level header logs).</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

    public void Dispose()
    {
    }

    public string All() => string.Join("\n", Entries.Select(e => $"{e.Level} {e.Category}: {e.Message}"));

    private sealed class ListLogger(ListLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopeText = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            owner.Entries.Enqueue((logLevel, category, formatter(state, exception) + " " + scopeText + (exception is null ? "" : " " + exception)));
        }
    }
}

internal static class TestPorts
{
    public static int Free() => AiLbAutoscaler.Tests.Shared.LoopbackPorts.Free();

    /// <summary>The server's base URL by IPv4 loopback address ("localhost" would try ::1 first, which it does not serve).</summary>
    public static string UrlOf(WireMockServer server) => $"http://127.0.0.1:{server.Port}";

    /// <summary>A WireMock server bound to 127.0.0.1 only.</summary>
    public static WireMockServer StartWireMock() =>
        WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{Free()}"], StartAdminInterface = false });
}

/// <summary>Builds the adapters the way a host does (AddMetricsAdapters over configuration), with test stand-ins.</summary>
internal static class MetricsHost
{
    public const string Token = "ya29.test-static-token-0123456789";

    public static ServiceProvider Build(IDictionary<string, string?> settings, TimeProvider clock, IAccessTokenSource? tokens = null, ListLoggerProvider? logs = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(builder =>
        {
            builder.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null)
            {
                builder.AddProvider(logs);
            }
        });
        services.AddSingleton(clock);
        if (tokens is not null)
        {
            services.AddSingleton(tokens);
        }

        services.AddMetricsAdapters(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Fast retries so failure tests stay quick.</summary>
    public static Dictionary<string, string?> FastResilience(string? endpoint) => new()
    {
        ["Autoscaler:Metrics:CloudMonitoringEndpoint"] = endpoint ?? "https://monitoring.googleapis.com/",
        ["Autoscaler:Metrics:Resilience:MaxRetryAttempts"] = "3",
        ["Autoscaler:Metrics:Resilience:BaseDelayMilliseconds"] = "5",
        ["Autoscaler:Metrics:Resilience:AttemptTimeoutSeconds"] = "5",
        ["Autoscaler:Metrics:Resilience:TotalTimeoutSeconds"] = "20",
    };

    /// <summary>Writes a service-account key file whose token_uri is <paramref name="tokenBaseUrl"/>/token (a stand-in).</summary>
    public static string WriteServiceAccountKey(string dir, RSA rsa, string tokenBaseUrl)
    {
        var path = Path.Combine(dir, "service-account.json");
        File.WriteAllText(path, new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = "my-proj",
            ["private_key_id"] = "key-1",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "metrics-reader@my-proj.iam.gserviceaccount.com",
            ["client_id"] = "1234567890",
            ["token_uri"] = $"{tokenBaseUrl}/token",
        }.ToJsonString());
        return path;
    }

    public static string Fixture(string relativePath) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", relativePath));

    /// <summary>Query parameters of a raw query string, percent-decoded exactly once ('+' stays '+').</summary>
    public static List<(string Name, string Value)> ParseQuery(string? rawQuery) =>
        (rawQuery ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (Uri.UnescapeDataString(p[0]), p.Length > 1 ? Uri.UnescapeDataString(p[1]) : ""))
            .ToList();
}
