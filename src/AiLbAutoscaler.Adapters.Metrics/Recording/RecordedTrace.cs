namespace AiLbAutoscaler.Adapters.Metrics.Recording;

/// <summary>One minute of recorded traffic; null is unknown (a gap), never zero.</summary>
public sealed record RecordedMinute(DateTimeOffset Start, double? Requests, double? PromptTokensMean = null, double? OutputTokensMean = null)
{
    public bool IsGap => Requests is null;
}

/// <summary>A stack's requests per minute over [From, To), with what was asked of which source.</summary>
public sealed record RecordedTrace(
    string Stack,
    string Source,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<(string Name, string Query)> Queries,
    bool HasTokens,
    IReadOnlyList<RecordedMinute> Minutes)
{
    public int GapMinutes => Minutes.Count(m => m.IsGap);
}

/// <summary>The request cannot be served as asked (unknown stack, bad range, beyond retention, bad Record settings): exit 2.</summary>
public sealed class RecordSettingsException(string message) : Exception(message);
