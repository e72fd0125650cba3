using System.Globalization;
using System.Text.Json;
using AiLbAutoscaler.Adapters.Metrics.Configuration;
using AiLbAutoscaler.Adapters.Metrics.Credentials;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Security;
using Microsoft.Extensions.Logging;

namespace AiLbAutoscaler.Adapters.Metrics.Prometheus;

/// <summary>
/// Reads PromQL signals with instant queries (<c>GET /api/v1/query</c>) from Google Cloud Managed Service for Prometheus
/// (with Google credentials) or any Prometheus server. An expression must yield one series or a scalar. No series means
/// missing: Prometheus drops a series whose newest sample is older than its lookback delta (5 min by default), so stale
/// data reads as missing, never as zero. The reading is stamped with the evaluation time Prometheus reports.
/// A signal with a <see cref="CustomSignalOptions.CountQuery"/> also gets <see cref="SignalReading.Instances"/> from that
/// expression, evaluated in parallel at the same time; a failed or unusable count leaves it null and is logged.
/// </summary>
internal sealed class PrometheusReader(IHttpClientFactory httpClientFactory, ILogger<PrometheusReader> logger, SecretRedactor redactor)
{
    public IReadOnlyList<SignalJob> Plan(string stackName, StackMetricsOptions stack, DateTimeOffset now)
    {
        var at = now - TimeSpan.FromSeconds(stack.PrometheusEvaluationDelaySeconds);
        var useGoogle = UsesGoogleCredentials(stack);
        return stack.Signals
            .Select(signal => new SignalJob(signal.Name!, signal.Query!, async ct =>
            {
                var count = string.IsNullOrWhiteSpace(signal.CountQuery) ? null : CountAsync(stackName, stack.PrometheusUrl!, signal, at, useGoogle, ct);
                var reading = await QueryAsync(stack.PrometheusUrl!, signal.Name!, signal.Query!, signal.Scale, at, useGoogle, ct).ConfigureAwait(false);
                if (count is null)
                {
                    return reading;
                }

                var instances = await count.ConfigureAwait(false);
                if (!reading.HasValue || instances is null)
                {
                    return reading;
                }

                // Both are instant queries at the same evaluation time; a count stamped otherwise is not trusted.
                if (instances.ObservedAt != reading.ObservedAt || instances.Value is not { } n || n < 1 || n != Math.Floor(n) || n > int.MaxValue)
                {
                    logger.LogWarning("Stack {Stack}: signal {Signal}: CountQuery gave {Count} at {At:O}, not a positive whole count at {MeanAt:O}; Instances left unknown",
                        stackName, signal.Name, instances.Value, instances.ObservedAt, reading.ObservedAt);
                    return reading;
                }

                return reading with { Instances = (int)n };
            }))
            .ToList();
    }

    /// <summary>The CountQuery's reading, or null (logged) when it is missing or fails for any reason but the caller's cancellation.</summary>
    private async Task<SignalReading?> CountAsync(string stackName, string baseUrl, CustomSignalOptions signal, DateTimeOffset at, bool useGoogle, CancellationToken cancellationToken)
    {
        string reason;
        try
        {
            var count = await QueryAsync(baseUrl, signal.Name + ".instances", signal.CountQuery!, 1, at, useGoogle, cancellationToken).ConfigureAwait(false);
            if (count.HasValue)
            {
                return count;
            }

            reason = redactor.Redact(count.Problem ?? "no value");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            reason = redactor.Redact(MetricsHttp.Describe(ex));
        }

        logger.LogWarning("Stack {Stack}: signal {Signal}: CountQuery failed; Instances left unknown: {Reason}", stackName, signal.Name, reason);
        return null;
    }

    public static bool UsesGoogleCredentials(StackMetricsOptions stack) => stack.PrometheusAuth switch
    {
        PrometheusAuthMode.Google => true,
        PrometheusAuthMode.None => false,
        _ => Uri.TryCreate(stack.PrometheusUrl, UriKind.Absolute, out var uri) && uri.Host.EndsWith("googleapis.com", StringComparison.OrdinalIgnoreCase),
    };

    public static Uri BuildUri(string baseUrl, string expression, DateTimeOffset at) =>
        MetricsHttp.Combine(baseUrl, "api/v1/query?query=" + Uri.EscapeDataString(expression)
            + "&time=" + Uri.EscapeDataString((at.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture)));

    private async Task<SignalReading> QueryAsync(string baseUrl, string name, string expression, double scale, DateTimeOffset at, bool useGoogle, CancellationToken cancellationToken)
    {
        var http = httpClientFactory.CreateClient(MetricsHttp.ClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, BuildUri(baseUrl, expression, at));
        request.Options.Set(GoogleAuthHandler.UseGoogleCredentials, useGoogle);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await MetricsHttp.ReadJsonAsync<PrometheusResponse>(response, "Prometheus", PrometheusResponse.Options, cancellationToken, PrometheusResponse.DescribeError).ConfigureAwait(false);
        if (body.Status != "success" || body.Data is null)
        {
            return SignalReading.Missing(name, $"Prometheus query failed: {body.ErrorType}: {body.Error}");
        }

        try
        {
            return Interpret(name, scale, body.Data);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or JsonException)
        {
            throw new MetricsQueryException($"Prometheus returned an unexpected result: {ex.Message}", ex);
        }
    }

    private static SignalReading Interpret(string name, double scale, PrometheusData data)
    {
        (DateTimeOffset At, double Value) sample;
        switch (data.ResultType)
        {
            case "scalar":
                sample = PrometheusSample.Read(data.Result);
                break;
            case "vector":
                var count = data.Result.GetArrayLength();
                if (count == 0)
                {
                    return SignalReading.Missing(name, "no series: the metric is absent or stale (older than the lookback delta)");
                }

                if (count > 1)
                {
                    return SignalReading.Missing(name, $"the expression returned {count} series; aggregate it to one (for example sum(...) or avg(...))");
                }

                sample = PrometheusSample.Read(data.Result[0].GetProperty("value"));
                break;
            default:
                return SignalReading.Missing(name, $"the expression returned a {data.ResultType}; it must return one series or a scalar");
        }

        return double.IsFinite(sample.Value)
            ? SignalReading.Of(name, sample.Value * scale, sample.At)
            : SignalReading.Missing(name, $"the expression evaluated to {sample.Value.ToString(CultureInfo.InvariantCulture)}");
    }
}
