using AiLbAutoscaler.Simulation;
using AiLbAutoscaler.Simulation.Monitoring;
using AiLbAutoscaler.Simulation.Policies;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary>A hand-set group for baseline decision tests: one visible minute of metrics and a recorded resize list.</summary>
internal sealed class FakeGroup : ISimulatedGroup
{
    /// <param name="serverMetrics">Scraped server metrics on (add scrapes to <see cref="Metrics"/>); off, the per-minute path alone.</param>
    public FakeGroup(double now, int size, int serving, double utilization, bool visible = true, double waiting = double.NaN, long arrivals = 0, int? reporting = null,
        bool serverMetrics = false)
    {
        Now = now;
        TargetSize = size;
        Serving = serving;
        var options = new ObservationOptions { ServerMetrics = { Enabled = serverMetrics } };
        Metrics = new ObservationPipeline(options);

        // The newest minute whose instance and load-balancer metrics are both visible at `now`.
        var minute = (int)Math.Floor((now - Math.Max(options.InstanceDelaySeconds, options.LoadBalancerDelaySeconds)) / 60) - 1;
        if (visible)
        {
            var r = reporting ?? serving;
            Metrics.Add(new MinuteStats(minute, arrivals, 0, 0, 0, 0, 0, utilization, 0, size, r, size - r, size, waiting));
        }
    }

    public double Now { get; }

    public int TargetSize { get; private set; }

    public int Serving { get; }

    public int Booting => TargetSize - Serving;

    public ObservationPipeline Metrics { get; }

    public List<int> Resizes { get; } = [];

    public IReadOnlyList<TimeSpan> InstanceAges() => [.. Enumerable.Repeat(TimeSpan.FromHours(1), TargetSize)];

    public void Resize(int size)
    {
        Resizes.Add(size);
        TargetSize = size;
    }

    /// <summary>Set, callbacks are kept here (run them by hand); unset, At throws: the baselines resize directly.</summary>
    public List<(double Time, Action Action)>? Scheduled { get; init; }

    public void At(double time, Action action)
    {
        if (Scheduled is null)
        {
            throw new InvalidOperationException("baselines resize directly");
        }

        Scheduled.Add((time, action));
    }
}

internal static class TempFiles
{
    public static string Write(string name, string content)
    {
        var dir = Path.Combine(Path.GetTempPath(), "ailb-sim-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    public static string NewDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ailb-sim-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A per-minute trace with the given counts.</summary>
    public static string Minutes(params double[] counts) =>
        Write("minutes.csv", "minute,requests\n" + string.Join("\n", counts.Select((c, i) => $"{i},{c.ToString(System.Globalization.CultureInfo.InvariantCulture)}")) + "\n");
}
