namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>The reactive oracle's options (section <c>ReactiveOracle</c>).</summary>
public sealed class ReactiveOracleOptions : IPolicyOptions
{
    /// <summary>Asks this multiple of the newest known minute's need (1: exactly the need; below 1 traces the bound's cheap end).</summary>
    public double Headroom { get; set; } = 1;

    /// <summary>Scale-in only to the peak ask of this window, as the MIG autoscaler does (its default, 600 s).</summary>
    public double StabilizationSeconds { get; set; } = 600;

    public double TickSeconds { get; set; } = 15;

    /// <summary>
    /// How long after a minute starts its need is known; null is the fastest configured signal's visibility
    /// (<c>Observation.FastestVisibilitySeconds</c>: 25 s with the servers' metrics on).
    /// </summary>
    public double? VisibilitySeconds { get; set; }

    /// <summary>How long a resize takes to reach the group (0: at once, as the MIG autoscaler; 60: the Pulumi update ailb pays).</summary>
    public double ResizeDelaySeconds { get; set; }

    public IEnumerable<string> Validate()
    {
        if (!(Headroom > 0) || double.IsInfinity(Headroom))
        {
            yield return $"ReactiveOracle: Headroom must be a finite number above 0 (was {Headroom}).";
        }

        if (!(StabilizationSeconds >= 0) || !(TickSeconds >= 1))
        {
            yield return $"ReactiveOracle: StabilizationSeconds must be ≥ 0 and TickSeconds ≥ 1 (were {StabilizationSeconds}, {TickSeconds}).";
        }

        if (!(ResizeDelaySeconds >= 0) || double.IsInfinity(ResizeDelaySeconds))
        {
            yield return $"ReactiveOracle: ResizeDelaySeconds must be a finite number of seconds, 0 or more (was {ResizeDelaySeconds}).";
        }

        if (VisibilitySeconds is { } v && !(v >= 0))
        {
            yield return $"ReactiveOracle: VisibilitySeconds must be 0 or more (was {v}).";
        }
    }
}

/// <summary>
/// A bound on what any reactive policy can do, not a baseline a user could run: it reads the oracle plan's exact need
/// n(m) of minute m (no noise, no calibration error), but only from <c>m·60 + VisibilitySeconds</c> on, as the fastest
/// signal would show a change at the minute's start. It asks ⌈Headroom × n⌉ of the newest known minute, scales in only
/// to the peak ask of the stabilization window, resizes the group directly (or after ResizeDelaySeconds) and its
/// instances boot in exactly the boot time. What it misses, no policy that reacts to this signal can catch; it has no look-ahead and no forecast.
/// </summary>
public sealed class ReactiveOraclePolicy : ISimPolicy
{
    public const string PolicyName = "oracle-reactive";

    private readonly ReactiveOracleOptions _options;
    private readonly Func<int, int> _required;
    private readonly double _visibility;
    private readonly int _maxSize;
    private readonly MigStabilizer _stabilizer;

    public ReactiveOraclePolicy(ReactiveOracleOptions options, Func<int, int> requiredForMinute, double fastestVisibilitySeconds, int initialSize, int maxSize)
    {
        _options = options;
        _required = requiredForMinute;
        _visibility = options.VisibilitySeconds ?? fastestVisibilitySeconds;
        _maxSize = maxSize;
        _stabilizer = new MigStabilizer(options.StabilizationSeconds);
        InitialSize = initialSize;
    }

    public string Name => PolicyName;

    public double TickSeconds => _options.TickSeconds;

    public int InitialSize { get; }

    public bool ExactBoot => true;

    /// <summary>The newest minute whose need is known at <paramref name="now"/>, or null before the first.</summary>
    public int? KnownMinute(double now)
    {
        var m = (int)Math.Floor((now - _visibility) / 60 + 1e-9);
        return m >= 0 ? m : null;
    }

    /// <summary>The size it asks for at <paramref name="now"/> before stabilization, or null while nothing is known.</summary>
    public int? Ask(double now) => KnownMinute(now) is int m
        ? Math.Clamp((int)Math.Ceiling(_options.Headroom * _required(m) - 1e-9), 1, _maxSize)
        : null;

    public int? Desired => _pending;

    private int? _pending;

    public void Tick(ISimulatedGroup group)
    {
        if (Ask(group.Now) is int ask)
        {
            _stabilizer.Apply(_options.ResizeDelaySeconds > 0 ? new Delayed(this, group) : group, ask);
        }
    }

    /// <summary>The group as the policy sees it when a resize takes a while: the size on its way counts as the target.</summary>
    private sealed class Delayed(ReactiveOraclePolicy policy, ISimulatedGroup group) : ISimulatedGroup
    {
        public double Now => group.Now;

        public int TargetSize => policy._pending ?? group.TargetSize;

        public int Serving => group.Serving;

        public int Booting => group.Booting;

        public Monitoring.ObservationPipeline Metrics => group.Metrics;

        public IReadOnlyList<TimeSpan> InstanceAges() => group.InstanceAges();

        public void Resize(int size)
        {
            policy._pending = size;
            group.At(group.Now + policy._options.ResizeDelaySeconds, () =>
            {
                group.Resize(size);
                if (policy._pending == size)
                {
                    policy._pending = null;
                }
            });
        }

        public void At(double time, Action action) => group.At(time, action);
    }
}
