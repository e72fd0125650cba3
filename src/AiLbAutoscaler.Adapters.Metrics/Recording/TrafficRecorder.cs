using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AiLbAutoscaler.Adapters.Metrics.CloudMonitoring;
using AiLbAutoscaler.Adapters.Metrics.CloudMonitoring.Signals;
using AiLbAutoscaler.Adapters.Metrics.Configuration;
using AiLbAutoscaler.Adapters.Metrics.Credentials;
using AiLbAutoscaler.Adapters.Metrics.Prometheus;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Adapters.Metrics.Recording;

/// <summary>
/// Reads a stack's requests per minute over a past range, for <c>ailb record</c>. Cloud Monitoring: the load balancer's
/// <c>https/request_count</c> of the stack's backend service, ALIGN_DELTA over 60 s, REDUCE_SUM. Prometheus: range queries
/// (<c>/api/v1/query_range</c>, step 60 s) of <see cref="RecordOptions.RequestsQuery"/> and the token queries. The range goes
/// in chunks of <see cref="RecordOptions.ChunkMinutes"/>; every request goes through the metrics HttpClient (its resilience
/// pipeline retries 429, 5xx and transport errors). A minute without a point is a gap, never zero.
/// </summary>
public sealed partial class TrafficRecorder
{
    /// <summary>Full-resolution retention of Google Cloud metrics such as the load balancer's (docs/metrics.md cites the pages).</summary>
    public static readonly TimeSpan CloudMonitoringRetention = TimeSpan.FromDays(42);

    public const string CloudMonitoringRetentionSource = "https://cloud.google.com/monitoring/api/v3/latency-n-retention";

    public const string RequestCountMetric = "loadbalancing.googleapis.com/https/request_count";

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly IOptions<MetricsOptions> _options;
    private readonly CloudMonitoringClient _cloudMonitoring;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;

    internal TrafficRecorder(IOptions<MetricsOptions> options, CloudMonitoringClient cloudMonitoring, IHttpClientFactory http, TimeProvider time)
    {
        _options = options;
        _cloudMonitoring = cloudMonitoring;
        _http = http;
        _time = time;
    }

    /// <summary>Records minutes [from, to), both floored to the minute. <paramref name="progress"/> gets one line per chunk.</summary>
    public async Task<RecordedTrace> RecordAsync(string stack, DateTimeOffset from, DateTimeOffset to, Action<string>? progress, CancellationToken cancellationToken)
    {
        if (!_options.Value.Stacks.TryGetValue(stack, out var settings))
        {
            throw new RecordSettingsException($"stack '{stack}' is not configured under {MetricsOptions.StacksPath} (known: {string.Join(", ", _options.Value.Stacks.Keys)}).");
        }

        from = Floor(from);
        to = Floor(to);
        var now = _time.GetUtcNow();
        if (to <= from)
        {
            throw new RecordSettingsException($"--from ({Rfc3339(from)}) must be at least a minute before --to ({Rfc3339(to)}).");
        }

        if (to > now + Minute)
        {
            throw new RecordSettingsException($"--to ({Rfc3339(to)}) is in the future (now is {Rfc3339(now)}).");
        }

        var path = $"{MetricsOptions.StacksPath}:{stack}:Metrics";
        var record = settings.Record;
        var chunks = Chunks(from, to, TimeSpan.FromMinutes(record.ChunkMinutes)).ToList();
        if (settings.Source == MetricsSourceKind.CloudMonitoring)
        {
            if (string.IsNullOrWhiteSpace(settings.BackendServiceName))
            {
                throw new RecordSettingsException($"{path}:BackendServiceName is required to record request_count from Cloud Monitoring.");
            }

            CheckRetention(from, now, record.RetentionDays is { } d ? TimeSpan.FromDays(d) : CloudMonitoringRetention,
                record.RetentionDays is null ? $"Cloud Monitoring keeps load-balancer metrics at full (60 s) resolution for 6 weeks ({CloudMonitoringRetentionSource})" : $"{path}:Record:RetentionDays is {record.RetentionDays}");
            var query = new TimeSeriesQuery
            {
                Signal = "requests",
                Filter = MonitoringFilter.Backend(RequestCountMetric, settings.BackendServiceName),
                Aligner = "ALIGN_DELTA",
                Reducer = "REDUCE_SUM",
                AlignmentPeriod = Minute,
            };
            var counts = new Dictionary<DateTimeOffset, double>();
            for (var i = 0; i < chunks.Count; i++)
            {
                var (start, end) = chunks[i];
                progress?.Invoke($"record: chunk {i + 1}/{chunks.Count}: {Rfc3339(start)} to {Rfc3339(end)} ({(end - start).TotalMinutes:0} minutes) from Cloud Monitoring");
                var result = await Guard(() => _cloudMonitoring.ListAsync(settings.Project!, query, start, end, cancellationToken), $"Cloud Monitoring query (filter: {query.Filter}; ALIGN_DELTA 60s, REDUCE_SUM) for {Rfc3339(start)} to {Rfc3339(end)}", cancellationToken).ConfigureAwait(false);
                if (result.ExecutionErrors.Count > 0)
                {
                    throw new MetricsQueryException($"Cloud Monitoring returned partial results ({string.Join("; ", result.ExecutionErrors.Select(e => e.Message))}) for filter {query.Filter}");
                }

                foreach (var point in result.Series.SelectMany(s => s.Points ?? []))
                {
                    if (point.Interval?.EndTime is not { } pointEnd || ValueOf(point.Value) is not { } value)
                    {
                        continue;
                    }

                    var minute = Floor(pointEnd) - Minute;
                    if (minute >= start && minute < end)
                    {
                        counts[minute] = counts.GetValueOrDefault(minute) + value;
                    }
                }
            }

            var minutes = Enumerate(from, to).Select(m => new RecordedMinute(m, counts.TryGetValue(m, out var c) ? c : null)).ToList();
            return new RecordedTrace(stack, $"Cloud Monitoring project {settings.Project}", from, to,
                [("requests", $"{query.Filter} | ALIGN_DELTA 60s | REDUCE_SUM")], false, minutes);
        }

        return await RecordPrometheusAsync(stack, path, settings, from, to, now, chunks, progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RecordedTrace> RecordPrometheusAsync(string stack, string path, StackMetricsOptions settings, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now,
        List<(DateTimeOffset Start, DateTimeOffset End)> chunks, Action<string>? progress, CancellationToken cancellationToken)
    {
        var record = settings.Record;
        if (string.IsNullOrWhiteSpace(record.RequestsQuery))
        {
            throw new RecordSettingsException($"{path}:Record:RequestsQuery is empty; give a PromQL expression of the requests per minute (default {RecordOptions.DefaultRequestsQuery}).");
        }

        var useGoogle = PrometheusReader.UsesGoogleCredentials(settings);
        var baseUrl = settings.PrometheusUrl!;
        if (record.RetentionDays is { } days)
        {
            CheckRetention(from, now, TimeSpan.FromDays(days), $"{path}:Record:RetentionDays is {days}");
        }
        else if (await ServerRetentionAsync(baseUrl, useGoogle, cancellationToken).ConfigureAwait(false) is { } retention)
        {
            CheckRetention(from, now, retention.Span, $"the Prometheus server keeps {retention.Text} (storageRetention in /api/v1/status/runtimeinfo)");
        }

        var queries = new List<(string Name, string Query)> { ("requests", record.RequestsQuery) };
        if (record.RecordsTokens)
        {
            queries.Add(("prompt_tokens", record.PromptTokensQuery!));
            queries.Add(("output_tokens", record.OutputTokensQuery!));
        }

        var values = queries.ToDictionary(q => q.Name, _ => new Dictionary<DateTimeOffset, double>());
        for (var i = 0; i < chunks.Count; i++)
        {
            var (start, end) = chunks[i];
            progress?.Invoke($"record: chunk {i + 1}/{chunks.Count}: {Rfc3339(start)} to {Rfc3339(end)} ({(end - start).TotalMinutes:0} minutes) from Prometheus");
            foreach (var (name, expression) in queries)
            {
                // The value at time t is the minute (t − 60 s, t]: evaluate at the end of each minute of the chunk.
                var what = $"Prometheus range query {name} = {expression} for {Rfc3339(start)} to {Rfc3339(end)}";
                var samples = await Guard(() => RangeAsync(baseUrl, expression, start + Minute, end, useGoogle, cancellationToken), what, cancellationToken).ConfigureAwait(false);
                foreach (var (at, value) in samples)
                {
                    if (double.IsFinite(value))
                    {
                        values[name][Floor(at) - Minute] = value;
                    }
                }
            }
        }

        var hasTokens = record.RecordsTokens;
        var minutes = Enumerate(from, to).Select(m =>
        {
            double? requests = values["requests"].TryGetValue(m, out var r) ? Math.Max(0, r) : null;
            return new RecordedMinute(m, requests,
                hasTokens ? Mean(values["prompt_tokens"], m, requests) : null,
                hasTokens ? Mean(values["output_tokens"], m, requests) : null);
        }).ToList();
        return new RecordedTrace(stack, $"Prometheus {Redact(baseUrl)}", from, to, queries, hasTokens, minutes);
    }

    private static double? Mean(Dictionary<DateTimeOffset, double> tokens, DateTimeOffset minute, double? requests) =>
        requests is > 0 && tokens.TryGetValue(minute, out var t) && t / requests.Value >= 1 ? t / requests.Value : null;

    private async Task<IReadOnlyList<(DateTimeOffset At, double Value)>> RangeAsync(string baseUrl, string expression, DateTimeOffset start, DateTimeOffset end, bool useGoogle, CancellationToken cancellationToken)
    {
        var uri = MetricsHttp.Combine(baseUrl, "api/v1/query_range?query=" + Uri.EscapeDataString(expression)
            + "&start=" + start.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)
            + "&end=" + end.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + "&step=60");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Options.Set(GoogleAuthHandler.UseGoogleCredentials, useGoogle);
        using var response = await _http.CreateClient(MetricsHttp.ClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await MetricsHttp.ReadJsonAsync<PrometheusResponse>(response, "Prometheus", PrometheusResponse.Options, cancellationToken, PrometheusResponse.DescribeError).ConfigureAwait(false);
        if (body.Status != "success" || body.Data is null)
        {
            throw new MetricsQueryException($"Prometheus query failed: {body.ErrorType}: {body.Error}");
        }

        if (body.Data.ResultType != "matrix")
        {
            throw new MetricsQueryException($"Prometheus returned a {body.Data.ResultType}, not a matrix");
        }

        var series = body.Data.Result.GetArrayLength();
        if (series > 1)
        {
            throw new MetricsQueryException($"the expression returned {series} series; aggregate it to one (for example sum(...))");
        }

        try
        {
            return series == 0 ? [] : [.. body.Data.Result[0].GetProperty("values").EnumerateArray().Select(PrometheusSample.Read)];
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or KeyNotFoundException or JsonException)
        {
            throw new MetricsQueryException($"Prometheus returned an unexpected result: {ex.Message}", ex);
        }
    }

    /// <summary>The server's <c>storageRetention</c> (e.g. "15d", "30d or 10GiB"), or null when it does not say (e.g. Managed Service for Prometheus).</summary>
    private async Task<(TimeSpan Span, string Text)?> ServerRetentionAsync(string baseUrl, bool useGoogle, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, MetricsHttp.Combine(baseUrl, "api/v1/status/runtimeinfo"));
            request.Options.Set(GoogleAuthHandler.UseGoogleCredentials, useGoogle);
            using var response = await _http.CreateClient(MetricsHttp.ClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            var text = doc.RootElement.GetProperty("data").GetProperty("storageRetention").GetString() ?? "";
            var span = ParseDuration(text.Split(" or ", 2)[0].Trim());
            return span is { } s ? (s, text) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException or Polly.Timeout.TimeoutRejectedException)
        {
            return null;
        }
    }

    /// <summary>A Prometheus duration such as <c>30d</c>, <c>2w</c>, <c>1y</c> or <c>36h</c>.</summary>
    internal static TimeSpan? ParseDuration(string text)
    {
        var parts = DurationPart().Matches(text);
        if (parts.Count == 0 || string.Concat(parts.Select(p => p.Value)) != text)
        {
            return null;
        }

        var total = TimeSpan.Zero;
        foreach (Match p in parts)
        {
            var n = long.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture);
            total += p.Groups[2].Value switch
            {
                "y" => TimeSpan.FromDays(365 * n),
                "w" => TimeSpan.FromDays(7 * n),
                "d" => TimeSpan.FromDays(n),
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                "s" => TimeSpan.FromSeconds(n),
                _ => TimeSpan.FromMilliseconds(n),
            };
        }

        return total;
    }

    [GeneratedRegex("([0-9]+)(ms|y|w|d|h|m|s)")]
    private static partial Regex DurationPart();

    private static void CheckRetention(DateTimeOffset from, DateTimeOffset now, TimeSpan retention, string why)
    {
        if (from < now - retention)
        {
            throw new RecordSettingsException(
                $"--from {Rfc3339(from)} is {(now - from).TotalDays:0.#} days ago, beyond the source's retention of {retention.TotalDays:0.#} days: {why}. Pick a later --from.");
        }
    }

    /// <summary>Any failure of one request becomes a <see cref="MetricsQueryException"/> naming the query (never a header or token).</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> call, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new MetricsQueryException($"{MetricsHttp.Describe(ex)} ({what})", ex);
        }
    }

    private static double? ValueOf(TypedValueJson? value) => value?.Int64Value ?? value?.DoubleValue;

    internal static IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> Chunks(DateTimeOffset from, DateTimeOffset to, TimeSpan size)
    {
        for (var start = from; start < to; start += size)
        {
            yield return (start, start + size < to ? start + size : to);
        }
    }

    private static IEnumerable<DateTimeOffset> Enumerate(DateTimeOffset from, DateTimeOffset to)
    {
        for (var m = from; m < to; m += Minute)
        {
            yield return m;
        }
    }

    private static DateTimeOffset Floor(DateTimeOffset at) =>
        DateTimeOffset.FromUnixTimeSeconds(at.ToUnixTimeSeconds() - (((at.ToUnixTimeSeconds() % 60) + 60) % 60));

    private static string Rfc3339(DateTimeOffset at) => CloudMonitoringClient.Rfc3339(at);

    /// <summary>The URL without user info or query string (either could carry a secret).</summary>
    private static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}" : "(invalid URL)";
}
