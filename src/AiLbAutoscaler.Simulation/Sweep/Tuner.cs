using System.Globalization;
using System.Text;
using System.Reflection;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Policies.Ailb;

namespace AiLbAutoscaler.Simulation.Sweep;

/// <summary>The grid <c>ailb tune</c> searches: every combination of these.</summary>
public sealed class TuneGrid
{
    public IReadOnlyList<double> GpuUtilizationTargets { get; init; } = [0.35, 0.45, 0.55, 0.65];

    public IReadOnlyList<double> QueueTargets { get; init; } = [16, 32, 64];

    public IReadOnlyList<double> ScaleDownStabilizationSeconds { get; init; } = [300, 600];

    public IReadOnlyList<bool> Forecast { get; init; } = [false, true];

    /// <summary>The demand's burst-size vote (<c>Demand:PeakRateSignal</c> = <c>request_rate_peak</c>); tried only where the servers' metrics are on.</summary>
    public IReadOnlyList<bool> BurstVote { get; init; } = [false, true];
}

/// <summary>A tuned ailb setting and the policy it is.</summary>
public sealed record TunedPolicy(SweepPoint Point, ScalingPolicy Policy);

public sealed record TuneResult(SweepResult Sweep, double Attainment, TunedPolicy? Best, IReadOnlyList<SweepMatch> Baselines);

/// <summary>
/// <c>ailb tune</c>: sweeps ailb's own knobs (GPU utilization and queue targets, scale-down stabilization, forecast on or
/// off, the burst-size vote on or off) and the baselines' main knobs on one trace, then picks the cheapest of each that meets the attainment.
/// </summary>
public static class Tuner
{
    public static TuneResult Run(BacktestRequest request, double attainment, TuneGrid? grid = null)
    {
        if (!(attainment > 0 && attainment <= 1))
        {
            throw new ArgumentException($"--attainment must be in (0, 1] (was {attainment}).");
        }

        grid ??= new TuneGrid();
        var basePolicy = request.Settings.Get<AilbOptions>(AilbOptions.Section).Policy ?? AilbDefaults.Create(request.Options);
        var defaults = ScalingPolicy.CreateDefault();
        var policies = new Dictionary<string, ScalingPolicy>();
        var cases = new List<SweepCase>();

        // Without the servers' metrics there is no request_rate_peak, and the vote on would repeat the vote off.
        var burstVotes = request.Options.Observation.ServerMetrics is { Enabled: true } && basePolicy.Demand.Enabled ? grid.BurstVote : [false];
        foreach (var gpu in grid.GpuUtilizationTargets)
        {
            foreach (var queue in grid.QueueTargets)
            {
                foreach (var stabilization in grid.ScaleDownStabilizationSeconds)
                {
                    foreach (var forecast in grid.Forecast)
                    {
                        foreach (var burst in burstVotes)
                        {
                            var policy = SweepKnobs.Clone(basePolicy, p =>
                            {
                                SetTarget(p, SignalNames.GpuUtilization, gpu);
                                SetTarget(p, SignalNames.QueuePerInstance, queue);
                                p.ScaleDownStabilizationSeconds = stabilization;
                                p.Forecast.Enabled = forecast;
                                p.Demand.PeakRateSignal = burst ? SignalNames.RequestRatePeak : null;
                            });
                            var label = string.Create(CultureInfo.InvariantCulture,
                                $"gpu {gpu:0.##} queue {queue:0.#} down {stabilization:0} s forecast {(forecast ? "on" : "off")}{(burst ? " burst vote" : "")}");
                            var isDefault = gpu == defaults.TargetFor(SignalNames.GpuUtilization)?.Target && queue == defaults.TargetFor(SignalNames.QueuePerInstance)?.Target &&
                                            stabilization == defaults.ScaleDownStabilizationSeconds && forecast == defaults.Forecast.Enabled &&
                                            burst == !string.IsNullOrWhiteSpace(defaults.Demand.PeakRateSignal);
                            policies[label] = policy;
                            cases.Add(new SweepCase(AilbPolicy.PolicyName, "tune", double.NaN, label, isDefault,
                                env => env.Catalog.Create(AilbPolicy.PolicyName, SweepKnobs.WithAilb(env, policy))));
                        }
                    }
                }
            }
        }

        foreach (var name in request.Policies.Where(p => p != AilbPolicy.PolicyName && SweepKnobs.Has(p)))
        {
            var knob = SweepKnobs.For(name);
            foreach (var x in knob.Grid)
            {
                cases.Add(new SweepCase(name, knob.Knob, x, $"{knob.Knob} {x:0.###}", x == knob.Default, env => env.Catalog.Create(name, knob.Apply(env, x))));
            }
        }

        var sweep = SweepRunner.Run(request, cases, AilbPolicy.PolicyName);
        var best = Pareto.CheapestAtLeast(sweep.Points.Where(p => p.Policy == AilbPolicy.PolicyName), attainment);
        var baselines = sweep.Points.Select(p => p.Policy).Distinct().Where(p => p != AilbPolicy.PolicyName)
            .Select(policy => SweepMatch.Of(policy, sweep.Points, attainment, best?.Score.InstanceHours)).ToList();
        return new TuneResult(sweep, attainment, best is null ? null : new TunedPolicy(best, policies[best.Label]), baselines);
    }

    private static void SetTarget(ScalingPolicy policy, string signal, double target)
    {
        if (policy.TargetFor(signal) is { } t)
        {
            t.Target = target;
        }
    }
}

/// <summary>
/// A ScalingPolicy as app settings for one stack: <c>Autoscaler__Stacks__&lt;stack&gt;__Policy__…=value</c>, one a line, the way
/// the Functions app reads environment variables (<c>__</c> nests; lists by index). The group's bounds (MinSize, MaxSize)
/// and the operating mode are the deployment's, not the tuning's, so they are left out.
/// </summary>
public static class TuneSnippet
{
    private static readonly HashSet<string> Left = new(StringComparer.OrdinalIgnoreCase)
    {
        nameof(ScalingPolicy.MinSize), nameof(ScalingPolicy.MaxSize), nameof(ScalingPolicy.Mode), nameof(ScalingPolicy.DryRun),
    };

    public static IReadOnlyList<KeyValuePair<string, string>> Settings(ScalingPolicy policy, string stack)
    {
        if (!Core.Controller.StackNames.IsValid(stack))
        {
            throw new ArgumentException($"'{stack}' is not a valid stack name: use letters, digits, '-', '_' and '.'.");
        }

        var list = new List<KeyValuePair<string, string>>();
        Flatten($"Autoscaler__Stacks__{stack}__Policy", policy, list, top: true);
        return list;
    }

    /// <summary>The settings as <c>KEY=value</c> lines.</summary>
    public static string Write(ScalingPolicy policy, string stack)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in Settings(policy, stack))
        {
            text.Append(key).Append('=').Append(value).Append('\n');
        }

        return text.ToString();
    }

    // Only settable properties: what configuration binding can set (computed ones such as TimeSpan views are left out).
    private static void Flatten(string prefix, object value, List<KeyValuePair<string, string>> into, bool top = false)
    {
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod is null || property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0 || top && Left.Contains(property.Name))
            {
                continue;
            }

            var key = $"{prefix}__{property.Name}";
            switch (property.GetValue(value))
            {
                case null:
                    break;
                case string text:
                    into.Add(new(key, text));
                    break;
                case bool flag:
                    into.Add(new(key, flag ? "true" : "false"));
                    break;
                case Enum e:
                    into.Add(new(key, e.ToString()));
                    break;
                case IFormattable number:
                    into.Add(new(key, number.ToString(null, CultureInfo.InvariantCulture)));
                    break;
                case System.Collections.IEnumerable items:
                    var i = 0;
                    foreach (var item in items)
                    {
                        Flatten($"{key}__{i++}", item, into);
                    }

                    break;
                case var nested:
                    Flatten(key, nested, into);
                    break;
            }
        }
    }
}
