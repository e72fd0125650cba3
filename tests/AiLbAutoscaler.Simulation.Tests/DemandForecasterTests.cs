using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Simulation.Policies.Ailb;

namespace AiLbAutoscaler.Simulation.Tests;

[Trait("Area", "Simulation")]
public sealed class DemandForecasterTests
{
    private static readonly DateTimeOffset Epoch = SimTimeProvider.Epoch;

    /// <summary>The readings of one tick: minute m's request rate, utilization and utilization sum.</summary>
    private static SignalReading[] Minute(int m, double rate, double utilization, int serving)
    {
        var at = Epoch.AddMinutes(m + 1);
        return
        [
            SignalReading.Of(SignalNames.RequestRate, rate, at),
            SignalReading.Of(SignalNames.GpuUtilization, utilization, at),
            SignalReading.Of(SimSignalNames.GpuUtilizationSum, utilization * serving, at),
        ];
    }

    [Fact]
    public void Demand_is_the_request_rate_times_the_cost_learned_in_unsaturated_minutes()
    {
        var f = new DemandForecaster(new AilbOptions { LearningRate = 1 });
        var group = new FakeGroup(0, 4, 4, 0.5);

        // Unsaturated: 4 instances at 0.5 carry 10 req/s → 0.2 utilization units per req/s.
        var first = f.Derive(group, Minute(0, 10, 0.5, 4));
        Assert.NotNull(first);
        Assert.Equal(2.0, first.Value!.Value, 9);

        // Saturated (utilization 1.0) minutes teach nothing; demand follows the rate: 30 req/s × 0.2 = 6.
        var saturated = f.Derive(group, Minute(1, 30, 1.0, 4));
        Assert.Equal(6.0, saturated!.Value!.Value, 9);
        Assert.Equal(SimSignalNames.DemandForecast, saturated.Signal);
    }

    [Fact]
    public void The_forecast_raises_demand_by_the_growth_seen_one_season_ago_and_never_lowers_it()
    {
        var options = new AilbOptions { LearningRate = 1, SeasonMinutes = 10, LeadMinutes = 2 };
        var f = new DemandForecaster(options);
        var group = new FakeGroup(0, 4, 4, 0.5);
        double[] yesterday = [10, 10, 10, 20, 40, 10, 10, 10, 10, 10];
        for (var m = 0; m < 10; m++)
        {
            f.Derive(group, Minute(m, yesterday[m], 0.5, 4));
        }

        // Minute 12: one season ago was minute 2 (10 req/s) and the next two minutes then reached 40 → growth 4, capped at 3.
        var rising = f.Derive(group, Minute(12, 10, 0.5, 4));
        Assert.Equal(10 * 0.2 * 3, rising!.Value!.Value, 9);

        // Minute 15: one season ago (minute 5) the load fell; the forecast stays at the current demand.
        var falling = f.Derive(group, Minute(15, 10, 0.5, 4));
        Assert.Equal(10 * 0.2, falling!.Value!.Value, 9);
    }
}
