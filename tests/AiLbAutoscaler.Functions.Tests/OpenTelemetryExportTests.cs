using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>
/// The exporters the standard variables turn on, sending to a loopback receiver: it accepts OTLP/HTTP (protobuf) as an
/// OpenTelemetry collector does and the Application Insights ingestion call (<c>/v2.1/track</c>, gzipped JSON lines) as
/// Azure Monitor does, and keeps what arrives. Protobuf keeps strings as UTF-8, so span and metric names are found in the
/// raw bodies without decoding them.
/// </summary>
[Trait("Area", "Functions")]
public sealed class OpenTelemetryExportTests
{
    private const string OtlpSecret = "otlp-PLANTED-key-7f3a";
    private const string InstrumentationKey = "5ec7e7a1-0000-4000-8000-00000000beef";

    [Fact]
    public async Task With_both_variables_set_a_tick_reaches_otlp_and_azure_monitor_and_neither_secret_is_logged()
    {
        await using var receiver = await Receiver.StartAsync();
        var settings = TestApp.DefaultSettings();
        settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url;
        settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        settings["OTEL_EXPORTER_OTLP_HEADERS"] = $"x-api-key={OtlpSecret}";
        settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] = $"InstrumentationKey={InstrumentationKey};IngestionEndpoint={receiver.Url}/";
        var app = await TestApp.StartAsync(settings);
        using var disposeHost = app.Host; // disposed here, not by TestApp: the test stops it itself to flush the logs
        app.Metrics.Set("inference", SignalReading.Of(SignalNames.GpuUtilization, 0.9, app.Time.GetUtcNow()));

        var result = await app.Get<AutoscaleController>().TickAsync("inference", DecisionTrigger.Timer, default);
        Assert.Equal(TickOutcome.Completed, result.Outcome);
        // Flushed, then waited for: an exporter may retry a send that a loaded machine answered late.
        await receiver.WaitForAsync("/v1/traces", b => b.Contains("ailb.tick", StringComparison.Ordinal) && b.Contains("ailb.metrics.read", StringComparison.Ordinal),
            () => app.Get<TracerProvider>().ForceFlush(30_000));
        await receiver.WaitForAsync("/v1/metrics", b => b.Contains("ailb.decisions", StringComparison.Ordinal) && b.Contains("ailb.fleet.desired_size", StringComparison.Ordinal),
            () => app.Get<MeterProvider>().ForceFlush(30_000));
        Assert.All(receiver.Requests.Where(r => r.Path.StartsWith("/v1/", StringComparison.Ordinal)), r => Assert.Equal(OtlpSecret, r.ApiKey));
        Assert.DoesNotContain(receiver.Requests, r => r.Body.Contains(OtlpSecret, StringComparison.Ordinal));
        await receiver.WaitForAsync("/v2.1/track", b => b.Contains("ailb.tick", StringComparison.Ordinal) && b.Contains(InstrumentationKey, StringComparison.Ordinal),
            () => app.Get<TracerProvider>().ForceFlush(30_000));

        // Logs are batched; disposing the container flushes them.
        await app.Host.StopAsync();
        app.Host.Dispose();
        await receiver.WaitForAsync("/v1/logs", b => b.Contains("inference", StringComparison.Ordinal), () => true); // the decision's log line
        Assert.DoesNotContain(receiver.Requests, r => r.Body.Contains(OtlpSecret, StringComparison.Ordinal));

        var log = app.Log.Entries.Select(e => e.Message + e.Exception).ToList();
        Assert.Contains(log, m => m.Contains($"OTLP at {receiver.Url}", StringComparison.Ordinal) && m.Contains("Azure Monitor", StringComparison.Ordinal));
        Assert.DoesNotContain(log, m => m.Contains(OtlpSecret, StringComparison.Ordinal) || m.Contains(InstrumentationKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_neither_variable_nothing_is_exported_and_the_log_says_so()
    {
        await using var app = await TestApp.StartAsync();

        Assert.Contains(app.Log.Entries, e => e.Message.Contains("OpenTelemetry: no exporter", StringComparison.Ordinal));
    }

    private sealed record Received(string Path, string? ApiKey, string Body);

    /// <summary>A stand-in for an OpenTelemetry collector's OTLP/HTTP receiver and for Application Insights' ingestion endpoint.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _web;

        private Receiver(WebApplication web, string url)
        {
            _web = web;
            Url = url;
        }

        public string Url { get; }

        public ConcurrentQueue<Received> Requests { get; } = new();

        public List<string> Bodies(string path) => [.. Requests.Where(r => r.Path == path).Select(r => r.Body)];

        /// <summary>Flushes until a body sent to <paramref name="path"/> matches, for at most 60 s; fails naming what arrived.</summary>
        public async Task WaitForAsync(string path, Func<string, bool> match, Func<bool> flush)
        {
            var until = DateTime.UtcNow.AddSeconds(60);
            while (!Bodies(path).Any(match))
            {
                Assert.True(DateTime.UtcNow < until, $"nothing matching arrived at {path}; received: {string.Join(", ", Requests.Select(r => r.Path))}");
                flush();
                await Task.Delay(200);
            }
        }

        public static async Task<Receiver> StartAsync()
        {
            var port = LoopbackPorts.Free();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            var web = builder.Build();
            var receiver = new Receiver(web, $"http://127.0.0.1:{port}");
            web.MapPost("/{**path}", async (HttpContext context) =>
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                var bytes = buffer.ToArray();
                if (context.Request.Headers.ContentEncoding == "gzip")
                {
                    using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                    using var plain = new MemoryStream();
                    await gzip.CopyToAsync(plain);
                    bytes = plain.ToArray();
                }

                var path = context.Request.Path.Value ?? "";
                receiver.Requests.Enqueue(new Received(path, context.Request.Headers["x-api-key"].FirstOrDefault(), Encoding.UTF8.GetString(bytes)));
                if (path.EndsWith("/track", StringComparison.Ordinal))
                {
                    var items = Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
                    await context.Response.WriteAsJsonAsync(new { itemsReceived = items, itemsAccepted = items, errors = Array.Empty<object>() });
                }
                else
                {
                    context.Response.ContentType = "application/x-protobuf";
                }
            });
            await web.StartAsync();
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _web.StopAsync();
            await _web.DisposeAsync();
        }
    }
}
