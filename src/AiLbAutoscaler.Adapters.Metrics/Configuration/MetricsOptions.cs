namespace AiLbAutoscaler.Adapters.Metrics.Configuration;

/// <summary>
/// Settings of the metrics adapters. Shared settings are bound from <c>Autoscaler:Metrics</c>; each stack's signals from
/// <c>Autoscaler:Stacks:{stack}:Metrics</c> (see docs/metrics.md). Validated at startup by <see cref="MetricsOptionsValidator"/>.
/// </summary>
public sealed class MetricsOptions
{
    /// <summary>The shared section, below the core's <c>Autoscaler</c> section.</summary>
    public const string SectionPath = "Autoscaler:Metrics";

    /// <summary>The section holding the stacks; each stack's adapter settings are in its <c>Metrics</c> child.</summary>
    public const string StacksPath = "Autoscaler:Stacks";

    /// <summary>Base URL of the Cloud Monitoring API (tests point it at a stand-in server).</summary>
    public string CloudMonitoringEndpoint { get; set; } = "https://monitoring.googleapis.com/";

    /// <summary>
    /// A Google credential file: a service-account key or a workload-identity-federation (<c>external_account</c>)
    /// configuration. Empty: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, GCE metadata server).
    /// </summary>
    public string? CredentialsFile { get; set; }

    /// <summary>Retry and timeout settings of every metrics request.</summary>
    public MetricsResilienceOptions Resilience { get; set; } = new();

    /// <summary>Per-stack settings by stack name (filled from <see cref="StacksPath"/>, not bound directly).</summary>
    public Dictionary<string, StackMetricsOptions> Stacks { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Retries (jittered exponential backoff on 429, 5xx and transport errors) and timeouts.</summary>
public sealed class MetricsResilienceOptions
{
    /// <summary>Retries after the first attempt.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The first backoff delay; later ones grow exponentially, with jitter.</summary>
    public int BaseDelayMilliseconds { get; set; } = 500;

    /// <summary>Timeout of one attempt.</summary>
    public double AttemptTimeoutSeconds { get; set; } = 10;

    /// <summary>Timeout of one request including all retries.</summary>
    public double TotalTimeoutSeconds { get; set; } = 45;

    /// <summary>Seed of the backoff jitter (randomness is seeded so runs can be replayed).</summary>
    public int JitterSeed { get; set; } = 17;
}
