using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Simulation.Policies.Ailb;

namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>What policies are built from: the options, the trace's per-minute profile and the fleet sizing derived from it.</summary>
public sealed class PolicyEnvironment
{
    public required SimulationOptions Options { get; init; }

    /// <summary>Expected requests per minute (after the rate scale).</summary>
    public required double[] MinuteProfile { get; init; }

    public required Capacity Capacity { get; init; }

    public required ulong Seed { get; init; }

    /// <summary>Every policy's options by config section; a section not set reads as its defaults.</summary>
    public PolicySettings Settings { get; init; } = PolicySettings.Empty;

    /// <summary>The policies runs are made from.</summary>
    public PolicyCatalog Catalog { get; init; } = PolicyCatalog.Default;

    /// <summary>Policies that run the real controller keep its instruments on the simulated clock.</summary>
    public bool RecordInstruments { get; init; }

    /// <summary>The oracle's per-minute plan (each load level calibrated at its own fleet size); null falls back to the single per-instance rate.</summary>
    public Backtest.OraclePlan? OraclePlan { get; init; }

    /// <summary>The ailb policy's ScalingPolicy from its section; null uses <see cref="AilbDefaults.Create"/>.</summary>
    public ScalingPolicy? AilbPolicy => Settings.Get<AilbOptions>(AilbOptions.Section).Policy;

    /// <summary>This environment with other policy settings (a sweep's or the tuner's).</summary>
    public PolicyEnvironment With(PolicySettings settings) => new()
    {
        Options = Options,
        MinuteProfile = MinuteProfile,
        Capacity = Capacity,
        OraclePlan = OraclePlan,
        Seed = Seed,
        Settings = settings,
        Catalog = Catalog,
        RecordInstruments = RecordInstruments,
    };

    /// <summary>This environment with one change to a policy's options (a copy; found through the policy's catalog entry).</summary>
    public PolicyEnvironment WithOptions<T>(string policy, Action<T> change) where T : class, new() =>
        With(Settings.With(Catalog.Entry(policy).OptionsSection ?? throw new ArgumentException($"Policy '{policy}' has no options."), change));

    /// <summary>Instances needed for a minute's expected load: the oracle plan's, else at the calibrated per-instance rate.</summary>
    public int RequiredFor(int minute)
    {
        if (OraclePlan is { } plan)
        {
            return minute >= 0 && minute < plan.PerMinute.Length ? Math.Min(plan.PerMinute[minute], Options.MaxSize) : 0;
        }

        var requests = minute >= 0 && minute < MinuteProfile.Length ? MinuteProfile[minute] : 0;
        return Math.Clamp((int)Math.Ceiling(requests / 60.0 / Capacity.RequestsPerInstancePerSecond - 1e-9), requests > 0 ? 1 : 0, Options.MaxSize);
    }

    /// <summary>The warm starting size of the dynamic policies: what the first five minutes need.</summary>
    public int DynamicInitialSize
    {
        get
        {
            if (Options.InitialSize is int s)
            {
                return s;
            }

            var n = 1;
            for (var m = 0; m < 5; m++)
            {
                n = Math.Max(n, RequiredFor(m));
            }

            return n;
        }
    }
}

/// <summary>
/// The smallest fixed fleet that meets the SLO at the trace's busiest minute, found by simulation, and the per-instance
/// rate it implies (busiest rate / that size).
/// </summary>
public sealed record Capacity(int BusiestMinute, double BusiestRequestsPerSecond, int StaticSize, double RequestsPerInstancePerSecond)
{
    /// <summary>Even MaxSize did not meet the SLO at the busiest minute: the static size is MaxSize and the rate a floor.</summary>
    public bool HitMaxSize { get; init; }
}
