using System.Globalization;
using System.Text;
using AiLbAutoscaler.Adapters.Metrics.Configuration;
using AiLbAutoscaler.Adapters.Metrics.Credentials;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Adapters.Metrics.CloudMonitoring;

/// <summary>The series and partial-result errors of one query, all pages merged.</summary>
internal sealed record TimeSeriesResult(IReadOnlyList<TimeSeriesJson> Series, IReadOnlyList<StatusJson> ExecutionErrors, int Pages);

/// <summary>Calls <c>GET v3/projects/{project}/timeSeries</c> (reference §9b) and follows <c>nextPageToken</c>.</summary>
internal sealed class CloudMonitoringClient(IHttpClientFactory httpClientFactory, IOptions<MetricsOptions> options)
{
    /// <summary>A guard against a server that never stops paging.</summary>
    public const int MaxPages = 100;

    public async Task<TimeSeriesResult> ListAsync(string project, TimeSeriesQuery query, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var http = httpClientFactory.CreateClient(MetricsHttp.ClientName);
        var series = new List<TimeSeriesJson>();
        var errors = new List<StatusJson>();
        string? pageToken = null;
        for (var page = 1; ; page++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, BuildUri(options.Value.CloudMonitoringEndpoint, project, query, start, end, pageToken));
            request.Options.Set(GoogleAuthHandler.UseGoogleCredentials, true);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var body = await MetricsHttp.ReadJsonAsync<ListTimeSeriesResponse>(response, "Cloud Monitoring", MonitoringJson.Options, cancellationToken).ConfigureAwait(false);
            series.AddRange(body.TimeSeries ?? []);
            errors.AddRange(body.ExecutionErrors ?? []);
            pageToken = body.NextPageToken;
            if (string.IsNullOrEmpty(pageToken))
            {
                return new TimeSeriesResult(series, errors, page);
            }

            if (page >= MaxPages)
            {
                throw new MetricsQueryException($"Cloud Monitoring kept paging past {MaxPages} pages; narrow the filter");
            }
        }
    }

    /// <summary>The request URI; every value is percent-escaped.</summary>
    public static Uri BuildUri(string endpoint, string project, TimeSeriesQuery query, DateTimeOffset start, DateTimeOffset end, string? pageToken)
    {
        var q = new StringBuilder();
        void Add(string name, string value)
        {
            q.Append(q.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        Add("filter", query.Filter);
        Add("interval.startTime", Rfc3339(start));
        Add("interval.endTime", Rfc3339(end));
        if (!query.IsRaw)
        {
            Add("aggregation.alignmentPeriod", ((long)query.AlignmentPeriod.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s");
            Add("aggregation.perSeriesAligner", query.Aligner!);
            if (query.HasReducer)
            {
                Add("aggregation.crossSeriesReducer", query.Reducer!);
                foreach (var field in query.GroupBy)
                {
                    Add("aggregation.groupByFields", field);
                }
            }
        }

        Add("view", "FULL");
        Add("pageSize", "10000");
        if (!string.IsNullOrEmpty(pageToken))
        {
            Add("pageToken", pageToken);
        }

        return MetricsHttp.Combine(endpoint, $"v3/projects/{Uri.EscapeDataString(project)}/timeSeries{q}");
    }

    public static string Rfc3339(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
