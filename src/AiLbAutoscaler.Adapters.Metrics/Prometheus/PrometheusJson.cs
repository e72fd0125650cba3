using System.Globalization;
using System.Text.Json;

namespace AiLbAutoscaler.Adapters.Metrics.Prometheus;

// The Prometheus HTTP API envelope (prometheus.io/docs/prometheus/latest/querying/api/): status, data{resultType, result},
// errorType/error on failure, optional warnings. Sample values are [unix seconds, "string value"].

internal sealed class PrometheusResponse
{
    public string? Status { get; set; }

    public PrometheusData? Data { get; set; }

    public string? ErrorType { get; set; }

    public string? Error { get; set; }

    public List<string>? Warnings { get; set; }

    public static string? DescribeError(string body)
    {
        try
        {
            var error = JsonSerializer.Deserialize<PrometheusResponse>(body, Options);
            return error?.Error is null ? null : $"{error.ErrorType}: {error.Error}";
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}

internal sealed class PrometheusData
{
    public string? ResultType { get; set; }

    public JsonElement Result { get; set; }
}

internal static class PrometheusSample
{
    /// <summary>Reads <c>[1435781451.781, "1"]</c>.</summary>
    public static (DateTimeOffset At, double Value) Read(JsonElement sample)
    {
        if (sample.ValueKind != JsonValueKind.Array || sample.GetArrayLength() != 2)
        {
            throw new FormatException("a sample must be [time, \"value\"]");
        }

        var seconds = sample[0].GetDouble();
        var text = sample[1].GetString() ?? throw new FormatException("a sample value must be a string");
        var value = text switch
        {
            "NaN" => double.NaN,
            "+Inf" or "Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return (DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)), value);
    }
}
