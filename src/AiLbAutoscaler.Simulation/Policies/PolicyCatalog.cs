using AiLbAutoscaler.Simulation.Policies.Ailb;

namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>The policies by name. A new policy is one sealed class and one line here.</summary>
public static class PolicyCatalog
{
    private static readonly Dictionary<string, Func<PolicyEnvironment, ISimPolicy>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        [AilbPolicy.PolicyName] = env => new AilbPolicy(
            env.AilbPolicy ?? AilbDefaults.Create(env.Options), env.Options, env.DynamicInitialSize, env.Seed, env.RecordInstruments),
        [HpaPolicy.PolicyName] = env => new HpaPolicy(env.Hpa, env.DynamicInitialSize, env.Options.MaxSize),
        [GcePolicy.PolicyName] = env => new GcePolicy(env.Gce, env.DynamicInitialSize, env.Options.MaxSize),
        [HpaQueuePolicy.PolicyName] = env => new HpaQueuePolicy(env.HpaQueue, env.DynamicInitialSize, env.Options.MaxSize),
        [GceLbPolicy.PolicyName] = env => new GceLbPolicy(env.GceLb, env.GceLb.MaxRatePerInstance ?? env.Capacity.RequestsPerInstancePerSecond, env.DynamicInitialSize, env.Options.MaxSize),
        [StaticPolicy.PolicyName] = env => new StaticPolicy(env.Capacity.StaticSize),
        [OraclePolicy.PolicyName] = env => new OraclePolicy(env.RequiredFor, env.Options.Lifecycle.BootSeconds),
    };

    /// <summary>In the order tables show them.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [AilbPolicy.PolicyName, HpaPolicy.PolicyName, HpaQueuePolicy.PolicyName, GcePolicy.PolicyName, GceLbPolicy.PolicyName, StaticPolicy.PolicyName, OraclePolicy.PolicyName];

    public static bool IsKnown(string name) => Factories.ContainsKey(name);

    public static ISimPolicy Create(string name, PolicyEnvironment env) =>
        Factories.TryGetValue(name, out var factory)
            ? factory(env)
            : throw new ArgumentException($"Unknown policy '{name}'. Known policies: {string.Join(", ", Names)}.");

    /// <summary>Parses a comma-separated list, rejecting unknown and repeated names.</summary>
    public static IReadOnlyList<string> Parse(string list)
    {
        var names = new List<string>();
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IsKnown(part))
            {
                throw new ArgumentException($"Unknown policy '{part}'. Known policies: {string.Join(", ", Names)}.");
            }

            var canonical = part.ToLowerInvariant();
            if (names.Contains(canonical))
            {
                throw new ArgumentException($"Policy '{part}' is listed twice.");
            }

            names.Add(canonical);
        }

        return names.Count > 0 ? names : throw new ArgumentException("No policy given: list at least one of " + string.Join(", ", Names) + ".");
    }
}
