using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies.Ailb;
using AiLbAutoscaler.Simulation.Sweep;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary>
/// A policy in a config file binds as the Functions host binds a stack's (PolicyDefaultsBindingTests there): onto the
/// default, each key replacing only its own value. Compared through every settable property.
/// </summary>
[Trait("Area", "Simulation")]
public sealed class ConfigPolicyDefaultsTests
{
    private static ScalingPolicy Load(string json) =>
        SimulationConfig.Load(TempFiles.Write("policy.json", json)).PolicySettings.Get<AilbOptions>(AilbOptions.Section).Policy!;

    private static Dictionary<string, string> Flat(ScalingPolicy policy) => TuneSnippet.Settings(policy, "sim").ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public void A_policy_that_names_one_setting_is_the_default_with_that_setting()
    {
        var policy = Load("""{ "Ailb": { "Policy": { "MaxSize": 2000, "Headroom": { "Enabled": false }, "Forecast": { "Smoothing": 0.1 } } } }""");

        var expected = Flat(ScalingPolicy.CreateDefault());
        expected["Autoscaler__Stacks__sim__Policy__Headroom__Enabled"] = "false";
        expected["Autoscaler__Stacks__sim__Policy__Forecast__Smoothing"] = "0.1";
        Assert.Equal(expected, Flat(policy));
        Assert.Equal(2000, policy.MaxSize);
        Assert.Equal(480, policy.Forecast.LeadSeconds); // the default's, not ForecastOptions' own
        Assert.Equal(60, policy.ScaleUpStabilizationSeconds);
    }

    [Fact]
    public void Signals_given_replace_the_default_signals_as_a_whole()
    {
        var policy = Load("""{ "Ailb": { "Policy": { "Signals": [ { "Signal": "gpu_utilization", "Kind": "Utilization", "Target": 0.6 } ] } } }""");

        Assert.Equal([("gpu_utilization", 0.6)], policy.Signals.Select(s => (s.Signal, s.Target)));
        Assert.Equal(ScalingPolicy.CreateDefault().Signals.Count, Load("""{ "Ailb": { "Policy": { "MaxSize": 50 } } }""").Signals.Count);
    }

    [Fact]
    public void An_unknown_key_in_the_policy_is_still_an_error_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => Load("""{ "Ailb": { "Policy": { "Demand": { "LearningRat": 0.1 } } } }"""));

        Assert.Contains("unknown key 'LearningRat' in Ailb.Policy.Demand", error.Message);
    }
}
