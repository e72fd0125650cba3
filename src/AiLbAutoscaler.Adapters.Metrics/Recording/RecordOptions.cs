namespace AiLbAutoscaler.Adapters.Metrics.Recording;

/// <summary>How <c>ailb record</c> reads a stack's traffic: <c>Autoscaler:Stacks:{stack}:Metrics:Record</c> (docs/metrics.md).</summary>
public sealed class RecordOptions
{
    /// <summary>vLLM's finished-request counter (docs.vllm.ai, Production Metrics), increased per minute and summed over series.</summary>
    public const string DefaultRequestsQuery = "sum(increase(vllm:request_success_total[1m]))";

    public const string DefaultPromptTokensQuery = "sum(increase(vllm:prompt_tokens_total[1m]))";

    public const string DefaultOutputTokensQuery = "sum(increase(vllm:generation_tokens_total[1m]))";

    /// <summary>PromQL giving the requests of the minute ending at each evaluation time (range query, step 60 s).</summary>
    public string RequestsQuery { get; set; } = DefaultRequestsQuery;

    /// <summary>PromQL giving the prompt tokens of that minute; divided by the requests for <c>prompt_tokens_mean</c>. Empty: no token columns.</summary>
    public string? PromptTokensQuery { get; set; } = DefaultPromptTokensQuery;

    /// <summary>PromQL giving the output tokens of that minute, for <c>output_tokens_mean</c>. Empty: no token columns.</summary>
    public string? OutputTokensQuery { get; set; } = DefaultOutputTokensQuery;

    /// <summary>
    /// Minutes per request. At most 10,000: below Prometheus' 11,000 points per series of one range query and below the
    /// <c>pageSize</c> of 10,000 points this client asks Cloud Monitoring for (the API allows up to 100,000).
    /// </summary>
    public int ChunkMinutes { get; set; } = 1440;

    /// <summary>
    /// How far back the source keeps per-minute data. Empty: 6 weeks for Cloud Monitoring; for Prometheus the server's own
    /// <c>storageRetention</c> (<c>/api/v1/status/runtimeinfo</c>), or no check when the server does not say.
    /// </summary>
    public int? RetentionDays { get; set; }

    public bool RecordsTokens => !string.IsNullOrWhiteSpace(PromptTokensQuery) && !string.IsNullOrWhiteSpace(OutputTokensQuery);
}
