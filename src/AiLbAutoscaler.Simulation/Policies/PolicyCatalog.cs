using AiLbAutoscaler.Simulation.Policies.Ailb;

namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>One policy of the catalog: its name, how to make it, and the config section its options bind from (if any).</summary>
public sealed record PolicyEntry(string Name, Func<PolicyEnvironment, ISimPolicy> Create, string? OptionsSection = null);

/// <summary>The policies by name. A new policy is one sealed class and one entry here.</summary>
public static class PolicyCatalog
{
    /// <summary>In the order tables show them.</summary>
    public static IReadOnlyList<PolicyEntry> Entries { get; } =
    [
        new(AilbPolicy.PolicyName, env => new AilbPolicy(
            env.AilbPolicy ?? AilbDefaults.Create(env.Options), env.Options, env.DynamicInitialSize, env.Seed, env.RecordInstruments), "Ailb:Policy"),
        new(HpaPolicy.PolicyName, env => new HpaPolicy(env.Hpa, env.DynamicInitialSize, env.Options.MaxSize), "Hpa"),
        new(HpaQueuePolicy.PolicyName, env => new HpaQueuePolicy(env.HpaQueue, env.DynamicInitialSize, env.Options.MaxSize), "HpaQueue"),
        new(GcePolicy.PolicyName, env => new GcePolicy(env.Gce, env.DynamicInitialSize, env.Options.MaxSize), "Gce"),
        new(GceLbPolicy.PolicyName, env => new GceLbPolicy(env.GceLb, env.GceLb.MaxRatePerInstance ?? env.Capacity.RequestsPerInstancePerSecond, env.DynamicInitialSize, env.Options.MaxSize), "GceLb"),
        new(StaticPolicy.PolicyName, env => new StaticPolicy(env.Capacity.StaticSize)),
        new(OraclePolicy.PolicyName, env => new OraclePolicy(env.RequiredFor, env.Options.Lifecycle.BootSeconds)),
    ];

    private static readonly Dictionary<string, PolicyEntry> ByName = Entries.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>In the order tables show them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Entries.Select(e => e.Name)];

    public static bool IsKnown(string name) => ByName.ContainsKey(name);

    public static ISimPolicy Create(string name, PolicyEnvironment env) =>
        ByName.TryGetValue(name, out var entry)
            ? entry.Create(env)
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
