using AiLbAutoscaler.Simulation.Policies.Ailb;

namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>A policy's own options: bound from its config section, validated before any run.</summary>
public interface IPolicyOptions
{
    /// <summary>Each problem as one message that names the section and the key.</summary>
    IEnumerable<string> Validate();
}

/// <summary>
/// One policy of the catalog: its name, how to make it, and (if it has options) the config section they bind from and
/// their type. <see cref="Of{TOptions}"/> hands the factory its options, so the rest of the simulator never names them.
/// </summary>
public sealed class PolicyEntry
{
    private PolicyEntry(string name, string? section, Type? optionsType, Func<PolicyEnvironment, ISimPolicy> create)
    {
        Name = name;
        OptionsSection = section;
        OptionsType = optionsType;
        Create = create;
    }

    public string Name { get; }

    /// <summary>The top-level config key the options bind from (for example <c>Hpa</c>); null for a policy without options.</summary>
    public string? OptionsSection { get; }

    public Type? OptionsType { get; }

    public Func<PolicyEnvironment, ISimPolicy> Create { get; }

    /// <summary>A policy without options.</summary>
    public static PolicyEntry Of(string name, Func<PolicyEnvironment, ISimPolicy> create) => new(name, null, null, create);

    /// <summary>A policy whose options bind from <paramref name="section"/> (defaults when the config has none).</summary>
    public static PolicyEntry Of<TOptions>(string name, string section, Func<PolicyEnvironment, TOptions, ISimPolicy> create)
        where TOptions : class, IPolicyOptions, new() =>
        new(name, section, typeof(TOptions), env => create(env, env.Settings.Get<TOptions>(section)));
}

/// <summary>
/// The policies by name. A new policy is one sealed class and one entry in <see cref="Default"/>; its options (if any)
/// bind from its own config section, are validated, and reach its factory without any other file naming them.
/// </summary>
public sealed class PolicyCatalog
{
    private readonly Dictionary<string, PolicyEntry> _byName;
    private readonly Dictionary<string, PolicyEntry> _bySection;

    public PolicyCatalog(IEnumerable<PolicyEntry> entries)
    {
        Entries = [.. entries];
        _byName = new(StringComparer.OrdinalIgnoreCase);
        _bySection = new(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in Entries)
        {
            if (!_byName.TryAdd(entry.Name, entry))
            {
                throw new ArgumentException($"Policy '{entry.Name}' is in the catalog twice.");
            }

            if (entry.OptionsSection is { } section && !_bySection.TryAdd(section, entry))
            {
                throw new ArgumentException($"Policies '{_bySection[section].Name}' and '{entry.Name}' both bind options from '{section}'.");
            }
        }

        Names = [.. Entries.Select(e => e.Name)];
    }

    /// <summary>The shipped policies, in the order tables show them.</summary>
    public static PolicyCatalog Default { get; } = new(
    [
        PolicyEntry.Of<AilbOptions>(AilbPolicy.PolicyName, AilbOptions.Section, (env, o) => new AilbPolicy(
            o.Policy ?? AilbDefaults.Create(env.Options), env.Options, env.DynamicInitialSize, env.Seed, env.RecordInstruments)),
        PolicyEntry.Of<HpaOptions>(HpaPolicy.PolicyName, "Hpa", (env, o) => new HpaPolicy(o, env.DynamicInitialSize, env.Options.MaxSize)),
        PolicyEntry.Of<HpaQueueOptions>(HpaQueuePolicy.PolicyName, "HpaQueue", (env, o) => new HpaQueuePolicy(o, env.DynamicInitialSize, env.Options.MaxSize)),
        PolicyEntry.Of<GceOptions>(GcePolicy.PolicyName, "Gce", (env, o) => new GcePolicy(o, env.DynamicInitialSize, env.Options.MaxSize)),
        PolicyEntry.Of<GceLbOptions>(GceLbPolicy.PolicyName, "GceLb", (env, o) => new GceLbPolicy(o, o.MaxRatePerInstance ?? env.Capacity.RequestsPerInstancePerSecond, env.DynamicInitialSize, env.Options.MaxSize)),
        PolicyEntry.Of(StaticPolicy.PolicyName, env => new StaticPolicy(env.Capacity.StaticSize)),
        PolicyEntry.Of(OraclePolicy.PolicyName, env => new OraclePolicy(env.RequiredFor, env.Options.Lifecycle.BootSeconds)),
        PolicyEntry.Of<ReactiveOracleOptions>(ReactiveOraclePolicy.PolicyName, "ReactiveOracle", (env, o) => new ReactiveOraclePolicy(
            o, env.RequiredFor, env.Options.Observation.FastestVisibilitySeconds, env.DynamicInitialSize, env.Options.MaxSize)),
    ]);

    /// <summary>In the order tables show them.</summary>
    public IReadOnlyList<PolicyEntry> Entries { get; }

    /// <summary>In the order tables show them.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>This catalog plus more entries (a plug-in's or a test's policies).</summary>
    public PolicyCatalog With(params PolicyEntry[] more) => new([.. Entries, .. more]);

    public bool IsKnown(string name) => _byName.ContainsKey(name);

    public PolicyEntry Entry(string name) => _byName.TryGetValue(name, out var entry)
        ? entry
        : throw new ArgumentException($"Unknown policy '{name}'. Known policies: {string.Join(", ", Names)}.");

    /// <summary>The entry whose options bind from a config section, or null.</summary>
    public PolicyEntry? BySection(string section) => _bySection.GetValueOrDefault(section);

    public ISimPolicy Create(string name, PolicyEnvironment env) => Entry(name).Create(env);

    /// <summary>Parses a comma-separated list, rejecting unknown and repeated names.</summary>
    public IReadOnlyList<string> Parse(string list)
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
