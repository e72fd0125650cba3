using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Sweep;
using AiLbAutoscaler.Simulation.Traffic;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>What <c>ailb tune</c> writes is what the Functions app starts on: its options validation passes and binds the tuned policy.</summary>
[Trait("Area", "Simulation")]
public sealed class TuneSnippetTests
{
    [Fact]
    public async Task The_tune_snippet_passes_the_apps_options_validation_and_binds_the_tuned_policy()
    {
        var grid = new TuneGrid { GpuUtilizationTargets = [0.45, 0.6], QueueTargets = [32], ScaleDownStabilizationSeconds = [300], Forecast = [false] };
        var tuned = Tuner.Run(new BacktestRequest { Trace = TraceSpec.FromScenario(Scenarios.Steady, 0.25, 2), Policies = ["ailb"] }, 0.9, grid);
        var best = Assert.IsType<TunedPolicy>(tuned.Best);
        var snippet = TuneSnippet.Write(best.Policy, "inference");

        var settings = TestApp.DefaultSettings();
        foreach (var line in snippet.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=');
            Assert.True(eq > 0, line);
            Assert.StartsWith("Autoscaler__Stacks__inference__Policy__", line, StringComparison.Ordinal);
            settings[line[..eq].Replace("__", ":", StringComparison.Ordinal)] = line[(eq + 1)..]; // as the environment-variable provider reads it
        }

        await using var app = await TestApp.StartAsync(settings);
        var bound = app.Get<IOptionsMonitor<AutoscalerOptions>>().CurrentValue.Stacks["inference"].Policy;

        Assert.Equal(best.Policy.Signals.Select(s => (s.Signal, s.Kind, s.Target)), bound.Signals.Select(s => (s.Signal, s.Kind, s.Target)));
        Assert.Equal(300, bound.ScaleDownStabilizationSeconds);
        Assert.False(bound.Forecast.Enabled);
        Assert.Equal(best.Policy.Demand.Enabled, bound.Demand.Enabled);
        Assert.Equal(10, bound.MaxSize); // the deployment's bounds are not the snippet's
    }

    [Fact]
    public async Task A_snippet_with_a_bad_value_fails_the_apps_validation_naming_it()
    {
        var policy = ScalingPolicy.CreateDefault();
        policy.Signals[0].Target = -1;
        var settings = TestApp.DefaultSettings();
        foreach (var (key, value) in TuneSnippet.Settings(policy, "inference"))
        {
            settings[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(settings));
        Assert.Contains("Autoscaler:Stacks:inference:Policy:Signals", ex.Message);
    }
}
