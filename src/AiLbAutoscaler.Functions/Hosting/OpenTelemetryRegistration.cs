using AiLbAutoscaler.Core.Telemetry;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.DependencyInjection;

public static class OpenTelemetryRegistration
{
    /// <summary>The standard OpenTelemetry variable that turns on OTLP export (with OTEL_EXPORTER_OTLP_HEADERS, _PROTOCOL, …).</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The standard Application Insights variable that turns on export to Azure Monitor.</summary>
    public const string AzureMonitorSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The HttpClient's own spans and metrics (.NET 9+): the metrics adapter's and the Deployments API's calls.</summary>
    public const string HttpClientSource = "System.Net.Http";

    /// <summary>
    /// OpenTelemetry the way the isolated worker documents it: <c>AddOpenTelemetry().UseFunctionsWorkerDefaults()</c>, the
    /// autoscaler's meter and spans plus HttpClient's, then an exporter per standard variable that is set: OTLP for
    /// <see cref="OtlpEndpointSetting"/>, Azure Monitor for <see cref="AzureMonitorSetting"/>, both when both are; logs go
    /// to them too. With neither, OpenTelemetry is not set up at all, so the host keeps relaying the worker's logs as
    /// before. The values are never logged: a connection string holds an instrumentation key, and
    /// OTLP headers often an API key.
    /// </summary>
    public static IServiceCollection AddAutoscalerOpenTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otlp = configuration[OtlpEndpointSetting];
        var azureMonitor = configuration[AzureMonitorSetting];
        services.AddHostedService(sp => new ExportersAnnouncement(
            sp.GetRequiredService<ILogger<ExportersAnnouncement>>(), Describe(otlp), !string.IsNullOrWhiteSpace(azureMonitor)));
        if (string.IsNullOrWhiteSpace(otlp) && string.IsNullOrWhiteSpace(azureMonitor))
        {
            // UseFunctionsWorkerDefaults tells the host that the worker exports its own logs, and the host then stops
            // relaying them; with no exporter they would go nowhere, so the worker stays on the host's log pipeline.
            return services;
        }

        var builder = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(t => t.AddSource(AutoscalerTelemetry.Name, HttpClientSource))
            .WithMetrics(m => m.AddMeter(AutoscalerTelemetry.Name, HttpClientSource));
        if (!string.IsNullOrWhiteSpace(otlp))
        {
            builder.UseOtlpExporter();
        }

        if (!string.IsNullOrWhiteSpace(azureMonitor))
        {
            builder.UseAzureMonitorExporter(o => o.ConnectionString = azureMonitor);
        }

        return services;
    }

    /// <summary>Where OTLP goes, as scheme, host and port only: no user info, path or query.</summary>
    private static string? Describe(string? endpoint) =>
        string.IsNullOrWhiteSpace(endpoint) ? null
        : Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Host}:{uri.Port}"
        : "(not an absolute URI)";

    /// <summary>Says at startup which exporters are on, so an operator can tell why nothing arrives.</summary>
    internal sealed class ExportersAnnouncement(ILogger<ExportersAnnouncement> logger, string? otlp, bool azureMonitor) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (otlp is null && !azureMonitor)
            {
                logger.LogInformation("OpenTelemetry: no exporter ({Otlp} and {AzureMonitor} are unset)", OtlpEndpointSetting, AzureMonitorSetting);
            }
            else
            {
                logger.LogInformation("OpenTelemetry: exporting to {Otlp}{AzureMonitor}",
                    otlp is null ? "no OTLP endpoint" : $"OTLP at {otlp}", azureMonitor ? " and Azure Monitor (connection string set)" : "");
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
