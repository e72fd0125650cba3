using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AiLbAutoscaler.Adapters.Metrics.CloudMonitoring;

// The documented JSON shape of projects.timeSeries.list (reference §9b; proto3 JSON mapping: int64 as strings,
// NaN/Infinity as the strings "NaN"/"Infinity", timestamps RFC 3339 with up to nanosecond precision).

internal sealed class ListTimeSeriesResponse
{
    public List<TimeSeriesJson>? TimeSeries { get; set; }

    public string? NextPageToken { get; set; }

    public List<StatusJson>? ExecutionErrors { get; set; }
}

internal sealed class TimeSeriesJson
{
    public LabeledTypeJson? Metric { get; set; }

    public LabeledTypeJson? Resource { get; set; }

    public string? MetricKind { get; set; }

    public string? ValueType { get; set; }

    public List<PointJson>? Points { get; set; }

    /// <summary>Identity of the series: metric and resource type and labels (a series may continue on the next page).</summary>
    public string Key() => $"{Metric?.Key()}|{Resource?.Key()}";
}

internal sealed class LabeledTypeJson
{
    public string? Type { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    public string Key() => Type + "{" + string.Join(",", (Labels ?? []).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
}

internal sealed class PointJson
{
    public IntervalJson? Interval { get; set; }

    public TypedValueJson? Value { get; set; }
}

internal sealed class IntervalJson
{
    [JsonConverter(typeof(Rfc3339Converter))]
    public DateTimeOffset? StartTime { get; set; }

    [JsonConverter(typeof(Rfc3339Converter))]
    public DateTimeOffset? EndTime { get; set; }
}

internal sealed class TypedValueJson
{
    public bool? BoolValue { get; set; }

    public long? Int64Value { get; set; }

    public double? DoubleValue { get; set; }

    public DistributionJson? DistributionValue { get; set; }
}

internal sealed class DistributionJson
{
    public long Count { get; set; }

    public double Mean { get; set; }

    public RangeJson? Range { get; set; }

    public BucketOptionsJson? BucketOptions { get; set; }

    public List<long>? BucketCounts { get; set; }
}

internal sealed class RangeJson
{
    public double Min { get; set; }

    public double Max { get; set; }
}

internal sealed class BucketOptionsJson
{
    public LinearBucketsJson? LinearBuckets { get; set; }

    public ExponentialBucketsJson? ExponentialBuckets { get; set; }

    public ExplicitBucketsJson? ExplicitBuckets { get; set; }
}

internal sealed class LinearBucketsJson
{
    public int NumFiniteBuckets { get; set; }

    public double Width { get; set; }

    public double Offset { get; set; }
}

internal sealed class ExponentialBucketsJson
{
    public int NumFiniteBuckets { get; set; }

    public double GrowthFactor { get; set; }

    public double Scale { get; set; }
}

internal sealed class ExplicitBucketsJson
{
    public List<double>? Bounds { get; set; }
}

internal sealed class StatusJson
{
    public int Code { get; set; }

    public string? Message { get; set; }
}

internal static class MonitoringJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

/// <summary>RFC 3339 timestamps with any number of fractional digits (protobuf emits up to 9; .NET keeps 7).</summary>
internal sealed class Rfc3339Converter : JsonConverter<DateTimeOffset?>
{
    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var text = reader.GetString() ?? throw new JsonException("timestamp is not a string");
        return Parse(text);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));

    public static DateTimeOffset Parse(string text)
    {
        var dot = text.IndexOf('.');
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = text[..(dot + 8)] + text[end..];
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : throw new JsonException($"'{text}' is not an RFC 3339 timestamp");
    }
}
