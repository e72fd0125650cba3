using System.Globalization;
using AiLbAutoscaler.Simulation.Scoring;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>One row per simulated minute: load, sizes, latencies and the instance metrics, as they really were (not delayed).</summary>
public static class TimelineCsv
{
    public const string Header = "minute,requests_per_s,desired,target,serving,booting,ttft_p95_ms,e2e_p95_ms,utilization,queue_per_instance,dropped";

    public static void Write(IReadOnlyList<TimelineRow> rows, Stream stream)
    {
        using var w = new StreamWriter(stream, new System.Text.UTF8Encoding(false));
        w.WriteLine(Header);
        foreach (var row in rows)
        {
            var s = row.Stats;
            w.Write(s.Minute.ToString(CultureInfo.InvariantCulture));
            w.Write(',');
            w.Write(F(s.RequestRate, "0.###"));
            w.Write(',');
            w.Write(row.Desired.ToString(CultureInfo.InvariantCulture));
            w.Write(',');
            w.Write(s.TargetSize.ToString(CultureInfo.InvariantCulture));
            w.Write(',');
            w.Write(s.Serving.ToString(CultureInfo.InvariantCulture));
            w.Write(',');
            w.Write(s.Booting.ToString(CultureInfo.InvariantCulture));
            w.Write(',');
            w.Write(F(s.TtftP95Ms, "0.#"));
            w.Write(',');
            w.Write(F(s.E2eP95Ms, "0.#"));
            w.Write(',');
            w.Write(F(s.Utilization, "0.####"));
            w.Write(',');
            w.Write(F(s.QueuePerInstance, "0.###"));
            w.Write(',');
            w.WriteLine(s.Dropped.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static string F(double v, string format) =>
        double.IsNaN(v) ? "" : double.IsPositiveInfinity(v) ? "inf" : v.ToString(format, CultureInfo.InvariantCulture);
}
