namespace AiLbAutoscaler.Core.Policy;

/// <summary>
/// How one stack is scaled. Every property has a default taken from the anchors (GCE MIG autoscaler, Kubernetes HPA,
/// KEDA, Knative); see docs/decision-engine.md for where each comes from. Bound from app settings, validated at startup.
/// </summary>
public sealed class ScalingPolicy
{
    public int MinSize { get; set; } = 1;

    public int MaxSize { get; set; } = 10;

    public ScalingMode Mode { get; set; } = ScalingMode.On;

    /// <summary>Decide and record, but never apply.</summary>
    public bool DryRun { get; set; }

    /// <summary>Dead band around the current size: a recommendation within this fraction of it is no change (HPA: 0.1).</summary>
    public double Tolerance { get; set; } = 0.1;

    /// <summary>Scale-down uses the highest recommendation of this window (GCE: 600 s).</summary>
    public double ScaleDownStabilizationSeconds { get; set; } = 600;

    /// <summary>
    /// Scale-up (outside a panic) goes to the lowest recommendation of this window, the current one included, so that one
    /// noisy sample does not buy capacity that the scale-down window then holds for ten minutes (HPA:
    /// <c>behavior.scaleUp.stabilizationWindowSeconds</c>, default 0). Takes effect only when ticks are shorter than it.
    /// </summary>
    public double ScaleUpStabilizationSeconds { get; set; }

    /// <summary>Instances younger than this count as capacity, but their metrics are ignored and no scale-down happens.</summary>
    public double InitializationPeriodSeconds { get; set; } = 180;

    /// <summary>A reading older than this is stale: it may not drive a scale-down.</summary>
    public double MaxSignalAgeSeconds { get; set; } = 420;

    /// <summary>Scale-up limit: the larger of +Percent % and +Instances per period (HPA-style, with a 60 s period).</summary>
    public RateLimit ScaleUpLimit { get; set; } = new() { Percent = 100, Instances = 4, PeriodSeconds = 60 };

    /// <summary>Scale-down limit: the larger of −Percent % and −Instances per period.</summary>
    public RateLimit ScaleDownLimit { get; set; } = new() { Percent = 10, Instances = 1, PeriodSeconds = 60 };

    /// <summary>A signal at this multiple of its target or more jumps straight to its recommendation (Knative: 2.0). 0 disables.</summary>
    public double PanicThreshold { get; set; } = 2.0;

    /// <summary>Consecutive ticks with no usable signal before the fallback applies (KEDA: 3).</summary>
    public int MissingTicksBeforeFallback { get; set; } = 3;

    public FallbackMode Fallback { get; set; } = FallbackMode.Hold;

    /// <summary>The size used when <see cref="Fallback"/> is <see cref="FallbackMode.FixedSize"/>.</summary>
    public int? FallbackSize { get; set; }

    /// <summary>The signals that vote, each with its target. The largest recommendation wins.</summary>
    public List<SignalTarget> Signals { get; set; } = [];

    /// <summary>Optional demand learned from the request rate (see <see cref="DemandOptions"/>).</summary>
    public DemandOptions Demand { get; set; } = new();

    /// <summary>An optional seasonal forecast of a rate signal that can only add capacity ahead of a recurring rise.</summary>
    public ForecastOptions Forecast { get; set; } = new();

    /// <summary>Optional look-ahead: a clear rising trend of the request rate, carried over the reaction time.</summary>
    public TrendOptions Trend { get; set; } = new();

    /// <summary>
    /// From a decision to the resize reaching the group: one tick (60 s) plus the update (60 s). With the reading's age
    /// and the initialization period it makes the reaction time that the look-ahead and the learned headroom cover.
    /// </summary>
    public double ActuationSeconds { get; set; } = 120;

    /// <summary>The reaction time of a reading of this age, in seconds: its age, the actuation and the boot.</summary>
    public double ReactionSeconds(TimeSpan readingAge) => readingAge.TotalSeconds + ActuationSeconds + InitializationPeriodSeconds;

    /// <summary>Optional headroom learned from the rises of the request rate instead of a fixed utilization target.</summary>
    public HeadroomOptions Headroom { get; set; } = new();

    /// <summary>Hold backlog-driven scale-ups while new capacity settles (<see cref="SettlingOptions"/>).</summary>
    public SettlingOptions Settling { get; set; } = new();

    /// <summary>Lift the scale-down limit while the request rate is calm (<see cref="CalmReleaseOptions"/>).</summary>
    public CalmReleaseOptions CalmRelease { get; set; } = new();

    /// <summary>Floors for known events (GCE scaling schedules); the largest active floor wins. At most 128.</summary>
    public List<ScalingSchedule> Schedules { get; set; } = [];

    /// <summary>
    /// A schedule's floor begins this long plus <see cref="InitializationPeriodSeconds"/> before each start, so that the
    /// capacity is serving when the event begins (GCE starts early by the initialization period). Default 180 s: the
    /// boot time of a GPU instance that loads its model (the simulator's default <c>BootSeconds</c>).
    /// </summary>
    public double ScheduleLeadSeconds { get; set; } = 180;

    /// <summary>The target of <paramref name="signal"/> (names compare case-insensitively), or null when the policy has none.</summary>
    public SignalTarget? TargetFor(string signal) =>
        Signals.FirstOrDefault(t => string.Equals(t.Signal, signal, StringComparison.OrdinalIgnoreCase));

    public TimeSpan ScaleDownStabilization => TimeSpan.FromSeconds(ScaleDownStabilizationSeconds);

    public TimeSpan ScaleUpStabilization => TimeSpan.FromSeconds(ScaleUpStabilizationSeconds);

    public TimeSpan InitializationPeriod => TimeSpan.FromSeconds(InitializationPeriodSeconds);

    public TimeSpan MaxSignalAge => TimeSpan.FromSeconds(MaxSignalAgeSeconds);

    /// <summary>How long before a schedule's start its floor begins: the initialization period plus the lead.</summary>
    public TimeSpan ScheduleLead => TimeSpan.FromSeconds(InitializationPeriodSeconds + ScheduleLeadSeconds);

    /// <summary>
    /// The project's default policy for an LLM server with continuous batching, tuned on the backtests of
    /// docs/simulation.md: busy batch slots at 45 % (headroom for about seven minutes of reaction time: metric delay,
    /// update and boot), one full batch of outstanding requests per instance as an early backstop (instance metrics arrive
    /// before the load balancer's request rate; capacity on order keeps its backlog from voting twice), demand learned from the request rate (it
    /// keeps rising when the group saturates), and a daily forecast that adds capacity ahead of a recurring rise and
    /// keeps a scale-in from going below what the next minutes are expected to need. Latency is read and audited; add a <see cref="TargetKind.LatencySlo"/> signal to let it vote.
    /// </summary>
    public static ScalingPolicy CreateDefault() => new()
    {
        Signals =
        [
            new SignalTarget { Signal = AiLbAutoscaler.Core.Signals.SignalNames.GpuUtilization, Kind = TargetKind.Utilization, Target = 0.45 },
            new SignalTarget { Signal = AiLbAutoscaler.Core.Signals.SignalNames.QueuePerInstance, Kind = TargetKind.Utilization, Target = 32 },
        ],
        Demand = new DemandOptions { Enabled = true },
        Forecast = new ForecastOptions { Enabled = true, LeadSeconds = 480 },
        Headroom = new HeadroomOptions { Enabled = true },
        Settling = new SettlingOptions { Enabled = true },
        CalmRelease = new CalmReleaseOptions { Enabled = true },
        ScaleUpStabilizationSeconds = 60,
    };

    /// <summary>
    /// <see cref="CreateDefault"/> with no signals: what configuration binds a stack's policy onto (binding appends to a
    /// list, so the default signals are added after binding, when none were bound).
    /// </summary>
    public static ScalingPolicy CreateDefaultWithoutSignals()
    {
        var policy = CreateDefault();
        policy.Signals = [];
        return policy;
    }

    /// <summary>After binding: a policy that bound no signal gets the default's; signals given replace them as a whole.</summary>
    public void UseDefaultSignalsIfNone()
    {
        if (Signals.Count == 0)
        {
            Signals = CreateDefault().Signals;
        }
    }
}

public enum ScalingMode
{
    /// <summary>Scale both ways.</summary>
    On,

    /// <summary>Scale up only; never remove instances.</summary>
    ScaleOutOnly,

    /// <summary>Compute and record the recommendation, but change nothing on its own; a manual override still applies.</summary>
    Off,
}

public enum FallbackMode
{
    /// <summary>Keep the current size.</summary>
    Hold,

    /// <summary>Go to <see cref="ScalingPolicy.FallbackSize"/>.</summary>
    FixedSize,
}

/// <summary>How a signal's observed value turns into a recommended size.</summary>
public enum TargetKind
{
    /// <summary>A per-instance mean: <c>ceil(serving × observed / target)</c>. CPU, GPU, queue per instance.</summary>
    Utilization,

    /// <summary>A group total with a per-instance target: <c>ceil(total / target)</c>. Request rate.</summary>
    PerInstance,

    /// <summary>A latency against an SLO: above it drives scale-up as <c>ceil(serving × observed / slo)</c>; below it never votes.</summary>
    LatencySlo,
}

public sealed class SignalTarget
{
    public string Signal { get; set; } = "";

    public TargetKind Kind { get; set; } = TargetKind.Utilization;

    public double Target { get; set; }
}

/// <summary>The larger of a percentage and an instance count, per period.</summary>
public sealed class RateLimit
{
    public double Percent { get; set; }

    public int Instances { get; set; }

    public double PeriodSeconds { get; set; } = 60;

    public TimeSpan Period => TimeSpan.FromSeconds(PeriodSeconds);
}
