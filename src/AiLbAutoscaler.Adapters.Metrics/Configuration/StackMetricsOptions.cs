namespace AiLbAutoscaler.Adapters.Metrics.Configuration;

/// <summary>Where a stack's signals come from.</summary>
public enum MetricsSourceKind
{
    /// <summary>Cloud Monitoring v3 REST <c>projects.timeSeries.list</c>.</summary>
    CloudMonitoring,

    /// <summary>The Prometheus HTTP API (<c>/api/v1/query</c>): Managed Service for Prometheus or any Prometheus server.</summary>
    Prometheus,
}

/// <summary>Which GPU metric feeds <c>gpu_utilization</c> on the Cloud Monitoring source.</summary>
public enum GpuMetricKind
{
    /// <summary>Ops Agent NVML metric <c>agent.googleapis.com/gpu/utilization</c> (percent).</summary>
    OpsAgent,

    /// <summary>Ops Agent DCGM receiver v2 metric <c>workload.googleapis.com/gpu.dcgm.utilization</c>.</summary>
    Dcgm,

    /// <summary>Ops Agent DCGM receiver v1 metric <c>workload.googleapis.com/dcgm.gpu.profiling.sm_utilization</c>.</summary>
    DcgmProfilingSm,

    /// <summary>No GPU signal.</summary>
    None,
}

/// <summary>How <c>latency_p95_ms</c> is computed on the Cloud Monitoring source.</summary>
public enum LatencyMode
{
    /// <summary>Cloud Monitoring merges the histograms: ALIGN_DELTA + REDUCE_PERCENTILE_95.</summary>
    Aggregated,

    /// <summary>Raw DISTRIBUTION points are fetched and the percentile is computed here from the bucket counts.</summary>
    RawDistribution,
}

/// <summary>Whether the Prometheus source sends a Google bearer token.</summary>
public enum PrometheusAuthMode
{
    /// <summary>Google credentials when the URL's host ends in <c>googleapis.com</c>; none otherwise.</summary>
    Auto,

    /// <summary>Never send a token.</summary>
    None,

    /// <summary>Always send a Google bearer token (scope monitoring.read).</summary>
    Google,
}

/// <summary>One stack's metrics settings: <c>Autoscaler:Stacks:{stack}:Metrics</c>.</summary>
public sealed class StackMetricsOptions
{
    public MetricsSourceKind Source { get; set; } = MetricsSourceKind.CloudMonitoring;

    /// <summary>GCP project id (or number) holding the metrics.</summary>
    public string? Project { get; set; }

    /// <summary>The load balancer's backend service name (<c>backend_target_name</c>); enables latency, request rate and 5xx.</summary>
    public string? BackendServiceName { get; set; }

    /// <summary>The managed instance group's name; enables CPU, GPU and group size.</summary>
    public string? InstanceGroupName { get; set; }

    /// <summary>Zone of a zonal group. Give Zone or Region, not both.</summary>
    public string? Zone { get; set; }

    /// <summary>Region of a regional group.</summary>
    public string? Region { get; set; }

    /// <summary>The query window ending now; at least 10 minutes so it reaches past the ingestion delay.</summary>
    public int WindowMinutes { get; set; } = 10;

    /// <summary>Alignment period of aggregated queries (Cloud Monitoring requires 60 s or more).</summary>
    public int AlignmentPeriodSeconds { get; set; } = 60;

    public LatencyMode LatencyMode { get; set; } = LatencyMode.Aggregated;

    public GpuMetricKind GpuMetric { get; set; } = GpuMetricKind.OpsAgent;

    /// <summary>Also read the ages of the group's instances from <c>compute.googleapis.com/instance/uptime_total</c>.</summary>
    public bool ReadInstanceAges { get; set; }

    /// <summary>Well-known signals not to read (for example <c>error_rate_5xx</c>).</summary>
    public List<string> DisabledSignals { get; set; } = [];

    /// <summary>
    /// Extra signals, or replacements for well-known ones of the same name: a Cloud Monitoring filter with aligner,
    /// reducer and group-by, or a PromQL expression.
    /// </summary>
    public List<CustomSignalOptions> Signals { get; set; } = [];

    /// <summary>Prometheus HTTP API base URL, e.g. <c>https://monitoring.googleapis.com/v1/projects/P/location/global/prometheus</c>.</summary>
    public string? PrometheusUrl { get; set; }

    public PrometheusAuthMode PrometheusAuth { get; set; } = PrometheusAuthMode.Auto;

    /// <summary>Evaluate PromQL this many seconds before now (room for ingestion delay).</summary>
    public int PrometheusEvaluationDelaySeconds { get; set; }

    /// <summary>
    /// How often the servers are scraped (the PodMonitoring's or scrape config's interval): a Prometheus stack's signals
    /// change this often, so its timer ticks this often (15 s: GKE's LLM-serving how-to). A stack's own
    /// <c>Autoscaler:Stacks:{stack}:TickSeconds</c> overrides it.
    /// </summary>
    public int PrometheusScrapeIntervalSeconds { get; set; } = 15;

    /// <summary>What <c>ailb record</c> reads (queries, chunk size, retention).</summary>
    public Recording.RecordOptions Record { get; set; } = new();
}

/// <summary>One configured signal. Cloud Monitoring uses Filter/Aligner/Reducer/GroupBy; Prometheus uses Query.</summary>
public sealed class CustomSignalOptions
{
    public string? Name { get; set; }

    /// <summary>Cloud Monitoring filter naming exactly one <c>metric.type</c>.</summary>
    public string? Filter { get; set; }

    /// <summary>Per-series aligner (ALIGN_MEAN by default; ALIGN_NONE reads raw points).</summary>
    public string? Aligner { get; set; }

    /// <summary>Cross-series reducer (REDUCE_MEAN by default; REDUCE_NONE for none).</summary>
    public string? Reducer { get; set; }

    public List<string> GroupBy { get; set; } = [];

    /// <summary>With ALIGN_NONE on a DISTRIBUTION metric: the percentile (0..100] computed from the bucket counts.</summary>
    public double? Percentile { get; set; }

    /// <summary>Multiplier applied to the value (e.g. 0.01 to turn percent into a fraction).</summary>
    public double Scale { get; set; } = 1;

    /// <summary>Points whose end is newer than now minus this are treated as incomplete and skipped.</summary>
    public int IngestDelaySeconds { get; set; } = 60;

    /// <summary>PromQL expression returning one series or a scalar.</summary>
    public string? Query { get; set; }

    /// <summary>
    /// Optional PromQL expression counting the instances a per-instance mean in <see cref="Query"/> is taken over
    /// (e.g. <c>count(vllm:num_requests_waiting)</c>); fills <c>SignalReading.Instances</c>. Prometheus only.
    /// </summary>
    public string? CountQuery { get; set; }
}
