using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Simulation.Sweep;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>
/// A stack with no tuning runs the measured default policy (<see cref="ScalingPolicy.CreateDefault"/>), as the
/// simulator's <c>ailb</c> does; a setting replaces only its own value. Compared through every settable property
/// (<see cref="TuneSnippet.Settings"/>), so a new option cannot slip out of the comparison.
/// </summary>
public sealed class PolicyDefaultsBindingTests
{
    private static Dictionary<string, string?> Minimal() => new()
    {
        ["AUTOSCALER_SCHEDULE"] = "0 */1 * * * *",
        ["AUTOSCALER_PRUNE_SCHEDULE"] = "0 30 3 * * *",
        ["AUTOSCALER_TICK_QUEUE"] = "autoscaler-ticks",
        ["Autoscaler:Stacks:inference:Policy:MaxSize"] = "12",
    };

    private static Dictionary<string, string?> WithOneSignal(string signal, double target)
    {
        var settings = Minimal();
        settings["Autoscaler:Stacks:inference:Policy:Signals:0:Signal"] = signal;
        settings["Autoscaler:Stacks:inference:Policy:Signals:0:Kind"] = "Utilization";
        settings["Autoscaler:Stacks:inference:Policy:Signals:0:Target"] = target.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }

    private static async Task<ScalingPolicy> BoundAsync(Dictionary<string, string?> settings)
    {
        await using var app = await TestApp.StartAsync(settings);
        return app.Get<IOptionsMonitor<AutoscalerOptions>>().CurrentValue.Stacks["inference"].Policy;
    }

    private static Dictionary<string, string> Flat(ScalingPolicy policy) => TuneSnippet.Settings(policy, "inference").ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public async Task A_stack_with_only_its_bounds_runs_the_default_policy_with_every_lever_on()
    {
        var bound = await BoundAsync(Minimal());

        Assert.Equal(Flat(ScalingPolicy.CreateDefault()), Flat(bound));
        Assert.Equal(12, bound.MaxSize);
        Assert.True(bound.Demand.Enabled && bound.Forecast.Enabled && bound.Headroom.Enabled && bound.Settling.Enabled && bound.CalmRelease.Enabled);
        Assert.Equal(60, bound.ScaleUpStabilizationSeconds);
        Assert.Equal(480, bound.Forecast.LeadSeconds);
    }

    [Fact]
    public async Task A_setting_replaces_only_its_own_value_and_an_explicit_off_stays_off()
    {
        var settings = Minimal();
        settings["Autoscaler:Stacks:inference:Policy:Headroom:Enabled"] = "false";
        settings["Autoscaler:Stacks:inference:Policy:ScaleUpStabilizationSeconds"] = "0";
        settings["Autoscaler:Stacks:inference:Policy:Forecast:Smoothing"] = "0.1";

        var bound = Flat(await BoundAsync(settings));

        var expected = Flat(ScalingPolicy.CreateDefault());
        const string P = "Autoscaler__Stacks__inference__Policy__";
        expected[P + "Headroom__Enabled"] = "false";
        expected[P + "ScaleUpStabilizationSeconds"] = "0";
        expected[P + "Forecast__Smoothing"] = "0.1";
        Assert.Equal(expected, bound);
    }

    [Fact]
    public async Task Own_signals_replace_the_default_signals_as_a_whole()
    {
        var settings = WithOneSignal("gpu_utilization", 0.6);

        var bound = await BoundAsync(settings);

        Assert.Equal([("gpu_utilization", 0.6)], bound.Signals.Select(s => (s.Signal, s.Target)));
        Assert.True(bound.Demand.Enabled); // its utilization signal is still there
    }

    [Fact]
    public async Task Own_signals_without_the_ones_the_default_levers_read_fail_startup_saying_how_to_turn_them_off()
    {
        var settings = WithOneSignal("cpu_utilization", 0.6);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => BoundAsync(settings));
        Assert.Contains("Autoscaler:Stacks:inference:Policy:Demand:UtilizationSignal ('gpu_utilization')", ex.Message);
        Assert.Contains("set Autoscaler:Stacks:inference:Policy:Demand:Enabled to false", ex.Message);
        Assert.Contains("set Autoscaler:Stacks:inference:Policy:Headroom:Enabled to false", ex.Message);

        settings["Autoscaler:Stacks:inference:Policy:Demand:Enabled"] = "false";
        settings["Autoscaler:Stacks:inference:Policy:Headroom:Enabled"] = "false";
        settings["Autoscaler:Stacks:inference:Policy:Forecast:Enabled"] = "false";
        var bound = await BoundAsync(settings);
        Assert.Equal(["cpu_utilization"], bound.Signals.Select(s => s.Signal));
        Assert.True(bound.Settling.Enabled);
    }
}
