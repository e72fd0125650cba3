using System.Globalization;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Sweep;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary><c>ailb tune</c> tries the opt-in burst-size vote, and picks it where sub-minute bursts make it pay.</summary>
[Trait("Area", "Simulation")]
public sealed class TuneBurstVoteTests
{
    /// <summary>40 minutes at a steady 4 req/s, and every 4 minutes a burst of 200 requests within 2 s (a synthetic trace).</summary>
    private static string BurstyTrace()
    {
        var rows = new List<long>();
        for (var i = 0; i < 40 * 60 * 4; i++)
        {
            rows.Add(i * 250L);
        }

        for (var minute = 2; minute < 40; minute += 4)
        {
            for (var j = 0; j < 200; j++)
            {
                rows.Add(minute * 60_000L + 20_000 + j * 10);
            }
        }

        rows.Sort();
        var path = Path.Combine(TempFiles.NewDirectory(), "bursty.csv");
        File.WriteAllLines(path, ["t_ms,prompt_tokens,output_tokens", .. rows.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t},1000,100"))]);
        return path;
    }

    private static readonly TuneGrid OneSetting = new() { GpuUtilizationTargets = [0.45], QueueTargets = [32], ScaleDownStabilizationSeconds = [600], Forecast = [true] };

    [Fact]
    public void Tune_picks_the_burst_vote_where_the_mean_rate_alone_misses_the_attainment()
    {
        var request = new BacktestRequest { Trace = TraceSpec.FromFile(BurstyTrace(), 1, 42), Policies = ["ailb"] };
        var tuned = Tuner.Run(request, 0.86, OneSetting);

        var points = tuned.Sweep.Points.Where(p => p.Policy == "ailb").ToList();
        Assert.Equal(2, points.Count);
        var off = Assert.Single(points, p => !p.Label.EndsWith("burst vote", StringComparison.Ordinal));
        var on = Assert.Single(points, p => p.Label.EndsWith("burst vote", StringComparison.Ordinal));
        Assert.True(on.Score.FeasibleAttainment > off.Score.FeasibleAttainment + 0.01,
            $"the burst vote should serve the bursts: {on.Score.FeasibleAttainment} against {off.Score.FeasibleAttainment}");
        Assert.True(off.Score.FeasibleAttainment < 0.86, $"off should miss 86 %: {off.Score.FeasibleAttainment}");

        var best = Assert.IsType<TunedPolicy>(tuned.Best);
        Assert.Equal(on.Label, best.Point.Label);
        Assert.Equal(SignalNames.RequestRatePeak, best.Policy.Demand.PeakRateSignal);
        Assert.Contains("Autoscaler__Stacks__s__Policy__Demand__PeakRateSignal=request_rate_peak\n", TuneSnippet.Write(best.Policy, "s"));
    }

    [Fact]
    public void Without_the_servers_metrics_tune_does_not_try_the_burst_vote()
    {
        var options = new SimulationOptions();
        options.Observation.ServerMetrics.Enabled = false;
        var request = new BacktestRequest { Trace = TraceSpec.FromScenario(Scenarios.Steady, 0.25, 2), Policies = ["ailb"], Options = options };
        var tuned = Tuner.Run(request, 0.5, OneSetting);

        var point = Assert.Single(tuned.Sweep.Points, p => p.Policy == "ailb");
        Assert.DoesNotContain("burst vote", point.Label, StringComparison.Ordinal);
    }
}
