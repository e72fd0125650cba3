using AiLbAutoscaler.Core.Telemetry;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies.Ailb;
using AiLbAutoscaler.Simulation.Traffic;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using T = AiLbAutoscaler.Core.Telemetry.AutoscalerTelemetry;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary>
/// Alone in its collection: the OpenTelemetry SDK listens by meter name, and every backtest's ailb run ticks a stack
/// named "sim", so a backtest of another test running at the same time would add to the counts read here.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "backtest telemetry";
}

/// <summary>A backtest records the controller's own instruments, on the simulated clock and to any OpenTelemetry SDK.</summary>
[Trait("Area", "Simulation")]
[Collection(TelemetryCollection.Name)]
public sealed class BacktestTelemetryTests
{
    [Fact]
    public void A_simulated_day_records_the_controllers_instruments_read_by_an_in_memory_exporter()
    {
        var exported = new List<Metric>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(T.Name).AddInMemoryExporter(exported).Build();

        var result = BacktestRunner.Run(new BacktestRequest
        {
            Trace = TraceSpec.FromScenario("diurnal", 0.4, 7),
            Policies = [AilbPolicy.PolicyName],
            RecordTimeline = true,
            RecordInstruments = true,
            MaxParallelism = 1,
        });
        meters.ForceFlush();

        var run = Assert.Single(result.Runs);
        var points = run.Instruments!;
        var ticks = (int)(result.SimSeconds / new SimulationOptions().ControllerTick); // one controller tick per tick interval
        var desired = points.Where(p => p.Instrument == T.Instruments.DesiredSize).ToList();
        Assert.Equal(ticks, desired.Count);
        Assert.Equal(ticks, points.Count(p => p.Instrument == T.Instruments.Size));

        // The points span the simulated day on its own clock, and the size they show moves with the load.
        Assert.InRange(desired[0].SimSeconds, 0, 120);
        Assert.InRange(desired[^1].SimSeconds, result.SimSeconds - 120, result.SimSeconds);
        Assert.True(desired.Zip(desired.Skip(1)).All(p => p.Second.SimSeconds > p.First.SimSeconds), "points come in simulated-time order");
        Assert.True(desired.Select(p => p.Value).Distinct().Count() >= 3, "the desired size changes over a diurnal day");
        Assert.Equal(run.Timeline[^1].Desired, (int)desired[^1].Value);
        Assert.Contains(points, p => p.Instrument == T.Instruments.SignalRecommendedSize && p.Signal is not null);

        // The SDK saw the same run: as many decisions as ticks, all on the simulated stack, and the sizes it recorded. Sums
        // are cumulative, so the newest export of each metric holds the whole run.
        long decided = 0;
        foreach (ref readonly var point in exported.Last(m => m.Name == T.Instruments.Decisions).GetMetricPoints())
        {
            Assert.Equal("sim", Tag(point, T.Tags.Stack));
            decided += point.GetSumLong();
        }

        Assert.Equal(ticks, decided);
        var gauged = new List<long>();
        foreach (ref readonly var point in exported.Last(m => m.Name == T.Instruments.DesiredSize).GetMetricPoints())
        {
            gauged.Add(point.GetGaugeLastValueLong());
        }

        Assert.NotEmpty(gauged);
        Assert.All(gauged, v => Assert.Contains(v, desired.Select(p => (long)p.Value)));
        Assert.Contains(exported, m => m.Name == T.Instruments.SignalValue);
        Assert.Contains(exported, m => m.Name == T.Instruments.ActuationDuration);
    }

    private static object? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }
}
