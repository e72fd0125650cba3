using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary>
/// A baseline with options is one class and one catalog entry: its options bind from its own config section, are
/// validated, and reach its factory; no other type names them. The policy here exists only in this file.
/// </summary>
[Trait("Area", "Simulation")]
public sealed class PolicyOptionsTests
{
    private static readonly PolicyCatalog Catalog = PolicyCatalog.Default.With(
        PolicyEntry.Of<FixedOptions>(FixedPolicy.PolicyName, "Fixed", (_, o) => new FixedPolicy(o)));

    [Fact]
    public void A_new_baseline_runs_in_a_backtest_with_its_options_from_its_own_config_section()
    {
        var three = Backtest("""{ "Scenario": "steady", "Fixed": { "Size": 3 } }""");
        var five = Backtest("""{ "Scenario": "steady", "fixed": { "size": 5 } }""");
        var defaults = Backtest("""{ "Scenario": "steady" }""");

        Assert.Equal(3, three.Score.PeakInstances);
        Assert.All(three.Timeline.Skip(1), r => Assert.Equal(3, r.Stats.TargetSize));
        Assert.Equal(5, five.Score.PeakInstances);
        Assert.Equal(new FixedOptions().Size, defaults.Score.PeakInstances);
        Assert.True(five.Score.InstanceHours > three.Score.InstanceHours);
    }

    [Fact]
    public void The_new_policy_is_named_by_its_entry_and_the_shipped_catalog_is_untouched()
    {
        Assert.Equal([.. PolicyCatalog.Default.Names, FixedPolicy.PolicyName], Catalog.Names);
        Assert.DoesNotContain(FixedPolicy.PolicyName, PolicyCatalog.Default.Names);
        Assert.Equal(["ailb", "fixed"], Catalog.Parse("ailb, FIXED"));

        // The shipped catalog does not know the section, so a config holding it is an unknown key.
        var path = TempFiles.Write("shipped.json", """{ "Fixed": { "Size": 3 } }""");
        var error = Assert.Throws<ArgumentException>(() => SimulationConfig.Load(path));
        Assert.Contains($"{path}:1: unknown key 'Fixed' at the top level", error.Message);
    }

    [Fact]
    public void An_unknown_or_mistyped_key_in_its_section_names_the_file_line_and_key()
    {
        var typo = TempFiles.Write("typo.json", "{\n  \"Scenario\": \"steady\",\n  \"Fixed\": {\n    \"Sise\": 3\n  }\n}\n");
        var error = Assert.Throws<ArgumentException>(() => SimulationConfig.Load(typo, Catalog));
        Assert.Equal($"{typo}:4: unknown key 'Sise' in Fixed.", error.Message);

        var type = TempFiles.Write("type.json", "{\n  \"Fixed\": { \"Size\": \"big\" }\n}\n");
        error = Assert.Throws<ArgumentException>(() => SimulationConfig.Load(type, Catalog));
        Assert.Equal($"{type}:2: the value of Fixed.Size must be a whole number.", error.Message);
    }

    [Fact]
    public void Its_validation_runs_before_the_backtest()
    {
        var path = TempFiles.Write("zero.json", """{ "Scenario": "steady", "Fixed": { "Size": 0 } }""");
        var error = Assert.Throws<ArgumentException>(() => Backtest(path: path));
        Assert.Contains("Fixed: Size must be at least 1 (was 0).", error.Message);
    }

    private static PolicyRun Backtest(string? json = null, string? path = null)
    {
        var config = SimulationConfig.Load(path ?? TempFiles.Write("config.json", json!), Catalog);
        return BacktestRunner.Run(new BacktestRequest
        {
            Trace = TraceSpec.FromScenario(config.Scenario!, 0.25, 7),
            Policies = [FixedPolicy.PolicyName],
            Settings = config.PolicySettings,
            Catalog = Catalog,
            RecordTimeline = true,
            MaxParallelism = 1,
        }).Runs.Single();
    }

    private sealed class FixedOptions : IPolicyOptions
    {
        public int Size { get; set; } = 2;

        public IEnumerable<string> Validate()
        {
            if (Size < 1)
            {
                yield return $"Fixed: Size must be at least 1 (was {Size}).";
            }
        }
    }

    private sealed class FixedPolicy(FixedOptions options) : ISimPolicy
    {
        public const string PolicyName = "fixed";

        public string Name => PolicyName;

        public double TickSeconds => 60;

        public int InitialSize => options.Size;

        public void Tick(ISimulatedGroup group)
        {
            if (group.TargetSize != options.Size)
            {
                group.Resize(options.Size);
            }
        }
    }
}
