using System.Diagnostics.Metrics;
using AiLbAutoscaler.Core.Telemetry;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>One measurement of an autoscaler instrument, stamped with simulated time.</summary>
public sealed record InstrumentPoint(double SimSeconds, string Instrument, string? Signal, double Value);

/// <summary>
/// Records the controller's own instruments (<see cref="AutoscalerTelemetry"/>) during a simulated run, on the simulated
/// clock, so a backtest shows how the metrics an operator would watch move over a simulated day. Listens to one meter
/// instance only, so runs side by side never mix. Keeps the gauges (sizes and per-signal values), which is what the
/// report charts; an OpenTelemetry SDK in the same process sees every instrument as usual.
/// </summary>
public sealed class InstrumentRecorder : IDisposable
{
    private static readonly HashSet<string> Kept =
    [
        AutoscalerTelemetry.Instruments.Size, AutoscalerTelemetry.Instruments.DesiredSize,
        AutoscalerTelemetry.Instruments.SignalValue, AutoscalerTelemetry.Instruments.SignalRecommendedSize,
    ];

    private readonly MeterListener _listener = new();
    private readonly List<InstrumentPoint> _points = [];
    private readonly Func<double> _now;

    public InstrumentRecorder(Func<double> simNow)
    {
        _now = simNow;
        Telemetry = new AutoscalerTelemetry();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, Telemetry.Meter) && Kept.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    /// <summary>The telemetry the recorded controller writes to: a meter of its own, named as every other.</summary>
    public AutoscalerTelemetry Telemetry { get; }

    public IReadOnlyList<InstrumentPoint> Points => _points;

    public void Dispose()
    {
        _listener.Dispose();
        Telemetry.Dispose();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? signal = null;
        foreach (var tag in tags)
        {
            if (tag.Key == AutoscalerTelemetry.Tags.Signal)
            {
                signal = tag.Value as string;
            }
        }

        _points.Add(new InstrumentPoint(_now(), instrument.Name, signal, value));
    }
}
