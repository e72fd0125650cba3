using System.Text.Json;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Policies.Ailb;

namespace AiLbAutoscaler.Simulation.Sweep;

/// <summary>
/// One policy's main knob: its name, the published default, the grid a sweep tries, and how a setting becomes a
/// policy environment. The grids span each default on both sides; they are not fitted to any trace.
/// </summary>
public sealed record SweepKnob(string Policy, string Knob, double Default, IReadOnlyList<double> Grid, Func<PolicyEnvironment, double, PolicyEnvironment> Apply);

/// <summary>The swept knob of every policy that has one. A new policy's knob is one more entry here.</summary>
public static class SweepKnobs
{
    private static readonly Dictionary<string, SweepKnob> Knobs = new(StringComparer.OrdinalIgnoreCase)
    {
        [AilbPolicy.PolicyName] = new(AilbPolicy.PolicyName, "target scale", 1, [0.6, 0.8, 1.0, 1.25, 1.5],
            (env, x) => WithAilb(env, ScaleTargets(env.AilbPolicy ?? AilbDefaults.Create(env.Options), x))),
        [HpaPolicy.PolicyName] = new(HpaPolicy.PolicyName, "utilization target", 0.6, [0.3, 0.4, 0.5, 0.6, 0.75],
            (env, x) => env.WithOptions<HpaOptions>(HpaPolicy.PolicyName, o => o.UtilizationTarget = x)),
        [HpaQueuePolicy.PolicyName] = new(HpaQueuePolicy.PolicyName, "queue target", 5, [1, 3, 5, 10, 20],
            (env, x) => env.WithOptions<HpaQueueOptions>(HpaQueuePolicy.PolicyName, o => o.QueueTarget = x)),
        [GcePolicy.PolicyName] = new(GcePolicy.PolicyName, "utilization target", 0.6, [0.3, 0.4, 0.5, 0.6, 0.75],
            (env, x) => env.WithOptions<GceOptions>(GcePolicy.PolicyName, o => o.UtilizationTarget = x)),
        [GceLbPolicy.PolicyName] = new(GceLbPolicy.PolicyName, "LB utilization target", 0.8, [0.5, 0.6, 0.7, 0.8, 0.9],
            (env, x) => env.WithOptions<GceLbOptions>(GceLbPolicy.PolicyName, o => o.UtilizationTarget = x)),
        [ReactiveOraclePolicy.PolicyName] = new(ReactiveOraclePolicy.PolicyName, "headroom", 1, [0.8, 0.9, 1, 1.1, 1.25, 1.5, 2, 3],
            (env, x) => env.WithOptions<ReactiveOracleOptions>(ReactiveOraclePolicy.PolicyName, o => o.Headroom = x)),
    };

    public static bool Has(string policy) => Knobs.ContainsKey(policy);

    public static SweepKnob For(string policy) => Knobs.TryGetValue(policy, out var k)
        ? k
        : throw new ArgumentException($"Policy '{policy}' has no knob to sweep; swept policies: {string.Join(", ", Knobs.Keys)}.");

    /// <summary>The ailb policy with every signal target multiplied by <paramref name="scale"/> (the GPU utilization target capped at 1).</summary>
    public static ScalingPolicy ScaleTargets(ScalingPolicy policy, double scale)
    {
        var copy = Clone(policy, _ => { });
        foreach (var signal in copy.Signals)
        {
            signal.Target *= scale;
            if (string.Equals(signal.Signal, SignalNames.GpuUtilization, StringComparison.OrdinalIgnoreCase))
            {
                signal.Target = Math.Min(signal.Target, 1); // a fraction of the batch slots
            }
        }

        return copy;
    }

    /// <summary>A deep copy through JSON, so a setting never changes the options another run reads.</summary>
    public static T Clone<T>(T value, Action<T> change)
    {
        var copy = JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value))!;
        change(copy);
        return copy;
    }

    /// <summary>The environment with another ailb ScalingPolicy (a sweep's or the tuner's setting).</summary>
    public static PolicyEnvironment WithAilb(PolicyEnvironment env, ScalingPolicy policy) =>
        env.With(env.Settings.With(AilbOptions.Section, new AilbOptions { Policy = policy }));
}
