namespace AiLbAutoscaler.Simulation.Fleet;

/// <summary>
/// One LLM server with continuous batching. The defaults describe a 7–8 B-parameter model in 16-bit weights on one
/// 80 GB GPU; where they come from, and which are assumptions, is in docs/simulation.md.
/// </summary>
public sealed class InstanceModel
{
    /// <summary>Concurrent sequences (B).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Fixed cost of one prefill.</summary>
    public double PrefillFixedMs { get; set; } = 15;

    /// <summary>Prefill time per prompt token (compute-bound; one prefill at a time per instance).</summary>
    public double PrefillMsPerToken { get; set; } = 0.12;

    /// <summary>Time per output token with one sequence in the batch (memory-bandwidth bound).</summary>
    public double DecodeMsPerToken { get; set; } = 12;

    /// <summary>Extra time per output token for each sequence in the batch.</summary>
    public double DecodeMsPerTokenPerSequence { get; set; } = 0.5;

    /// <summary>Requests an instance queues beyond its batch; the load balancer drops (503) when every instance is this full.</summary>
    public int MaxQueue { get; set; } = 256;

    /// <summary>TTFT on an idle instance: the prefill alone. A request whose idle TTFT exceeds the SLO is infeasible.</summary>
    public double IdleTtftMs(int promptTokens) => PrefillFixedMs + promptTokens * PrefillMsPerToken;

    public IEnumerable<string> Validate(string path)
    {
        if (BatchSize < 1)
        {
            yield return $"{path}:BatchSize must be 1 or more (was {BatchSize}).";
        }

        if (MaxQueue < 0)
        {
            yield return $"{path}:MaxQueue must be 0 or more (was {MaxQueue}).";
        }

        if (!(PrefillFixedMs >= 0) || !(PrefillMsPerToken >= 0) || !(DecodeMsPerToken > 0) || !(DecodeMsPerTokenPerSequence >= 0))
        {
            yield return $"{path}: prefill times must be ≥ 0 and DecodeMsPerToken > 0.";
        }
    }
}

/// <summary>requested → booting → health-checked → serving; scale-in drains, then deletes.</summary>
public sealed class LifecycleOptions
{
    /// <summary>From creation to a loaded model (VM start, image, driver, weights).</summary>
    public double BootSeconds { get; set; } = 180;

    /// <summary>Boot time is drawn uniformly within ± this fraction.</summary>
    public double BootJitter { get; set; } = 0.15;

    /// <summary>The load balancer's health-check interval: after boot, the first passing check comes within one interval.</summary>
    public double HealthCheckIntervalSeconds { get; set; } = 10;

    /// <summary>A draining instance gets no new requests; those still in flight after this long are cut off (counted dropped).</summary>
    public double DrainTimeoutSeconds { get; set; } = 60;

    public IEnumerable<string> Validate(string path)
    {
        if (!(BootSeconds >= 0) || BootJitter is < 0 or >= 1 || !(HealthCheckIntervalSeconds >= 0) || !(DrainTimeoutSeconds >= 0))
        {
            yield return $"{path}: BootSeconds, HealthCheckIntervalSeconds and DrainTimeoutSeconds must be ≥ 0 and BootJitter in [0, 1).";
        }
    }
}
