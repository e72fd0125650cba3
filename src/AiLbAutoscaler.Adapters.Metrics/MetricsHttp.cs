using System.Net;
using System.Text.Json;
using AiLbAutoscaler.Core.Security;

namespace AiLbAutoscaler.Adapters.Metrics;

/// <summary>Shared HTTP plumbing of both sources: the named client, error text and JSON reading.</summary>
internal static class MetricsHttp
{
    /// <summary>The named HttpClient (resilience pipeline + optional Google bearer token).</summary>
    public const string ClientName = "AiLbAutoscaler.Metrics";

    public static Uri Combine(string baseUrl, string relative) => new(new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/"), relative);

    /// <summary>Reads a JSON body; a non-success status or malformed JSON becomes a <see cref="MetricsQueryException"/>.</summary>
    public static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, string what, JsonSerializerOptions options, CancellationToken cancellationToken, Func<string, string?>? describeError = null)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var detail = Excerpt(describeError?.Invoke(body) ?? body);
            var retried = response.StatusCode is HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500 ? " after retries" : "";
            throw new MetricsQueryException($"{what} answered HTTP {(int)response.StatusCode} ({response.StatusCode}){retried}: {detail}");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body, options) ?? throw new MetricsQueryException($"{what} returned an empty JSON body");
        }
        catch (Exception ex) when (ex is JsonException or FormatException or NotSupportedException)
        {
            throw new MetricsQueryException($"{what} returned malformed JSON: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The first characters of a body, on one line, with secret shapes masked: an error body may echo the request's
    /// bearer token or a credential (the source masks the configured secret values on top).
    /// </summary>
    public static string Excerpt(string body)
    {
        var oneLine = SecretRedactor.ShapesOnly.Redact(body).ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= 300 ? oneLine : oneLine[..300] + "…";
    }

    /// <summary>A reason for a failed query, for a "missing" reading and the log.</summary>
    public static string Describe(Exception ex) => SecretRedactor.ShapesOnly.Redact(ex switch
    {
        MetricsQueryException => ex.Message,
        Polly.Timeout.TimeoutRejectedException => "request timed out (per-attempt or total timeout, after retries)",
        Polly.CircuitBreaker.BrokenCircuitException => "circuit breaker open after repeated failures",
        HttpRequestException h => $"transport error after retries: {h.Message}",
        Google.Apis.Auth.OAuth2.Responses.TokenResponseException t => $"credentials: token request failed ({t.Error?.Error ?? "no error code"})",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    });
}
