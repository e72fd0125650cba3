using System.Globalization;
using System.Text.Json;
using AiLbAutoscaler.Adapters.Metrics.Configuration;
using AiLbAutoscaler.Adapters.Metrics.Credentials;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Adapters.Metrics.Prometheus;

/// <summary>
/// Reads PromQL signals with instant queries (<c>GET /api/v1/query</c>) from Google Cloud Managed Service for Prometheus
/// (with Google credentials) or any Prometheus server. An expression must yield one series or a scalar. No series means
/// missing: Prometheus drops a series whose newest sample is older than its lookback delta (5 min by default), so stale
/// data reads as missing, never as zero. The reading is stamped with the evaluation time Prometheus reports.
/// </summary>
internal sealed class PrometheusReader(IHttpClientFactory httpClientFactory)
{
    public IReadOnlyList<SignalJob> Plan(StackMetricsOptions stack, DateTimeOffset now)
    {
        var at = now - TimeSpan.FromSeconds(stack.PrometheusEvaluationDelaySeconds);
        var useGoogle = UsesGoogleCredentials(stack);
        return stack.Signals
            .Select(signal => new SignalJob(signal.Name!, signal.Query!, ct => QueryAsync(stack.PrometheusUrl!, signal, at, useGoogle, ct)))
            .ToList();
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

    private async Task<SignalReading> QueryAsync(string baseUrl, CustomSignalOptions signal, DateTimeOffset at, bool useGoogle, CancellationToken cancellationToken)
    {
        var http = httpClientFactory.CreateClient(MetricsHttp.ClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, BuildUri(baseUrl, signal.Query!, at));
        request.Options.Set(GoogleAuthHandler.UseGoogleCredentials, useGoogle);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await MetricsHttp.ReadJsonAsync<PrometheusResponse>(response, "Prometheus", PrometheusResponse.Options, cancellationToken, PrometheusResponse.DescribeError).ConfigureAwait(false);
        if (body.Status != "success" || body.Data is null)
        {
            return SignalReading.Missing(signal.Name!, $"Prometheus query failed: {body.ErrorType}: {body.Error}");
        }

        try
        {
            return Interpret(signal, body.Data);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or JsonException)
        {
            throw new MetricsQueryException($"Prometheus returned an unexpected result: {ex.Message}", ex);
        }
    }

    private static SignalReading Interpret(CustomSignalOptions signal, PrometheusData data)
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
                    return SignalReading.Missing(signal.Name!, "no series: the metric is absent or stale (older than the lookback delta)");
                }

                if (count > 1)
                {
                    return SignalReading.Missing(signal.Name!, $"the expression returned {count} series; aggregate it to one (for example sum(...) or avg(...))");
                }

                sample = PrometheusSample.Read(data.Result[0].GetProperty("value"));
                break;
            default:
                return SignalReading.Missing(signal.Name!, $"the expression returned a {data.ResultType}; it must return one series or a scalar");
        }

        return double.IsFinite(sample.Value)
            ? SignalReading.Of(signal.Name!, sample.Value * signal.Scale, sample.At)
            : SignalReading.Missing(signal.Name!, $"the expression evaluated to {sample.Value.ToString(CultureInfo.InvariantCulture)}");
    }
}
