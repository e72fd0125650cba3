using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>
/// Finds the smallest fixed fleet that meets the SLO at the trace's busiest minute: it replays that minute and the three
/// before it on a warm fleet of N and searches N (doubling, then bisecting). Meeting the SLO means a share of requests
/// within the SLO of at least <see cref="SimulationOptions.SloTarget"/> and no minute whose p95 TTFT exceeds it.
/// </summary>
public static class Calibration
{
    /// <summary>Name under which <see cref="BacktestRequest.Progress"/> reports the calibration.</summary>
    public const string ProgressName = "calibration";

    public static Capacity Run(TraceSpec trace, double[] profile, SimulationOptions options, Action<double>? progress = null)
    {
        var busiest = 0;
        for (var m = 1; m < profile.Length; m++)
        {
            if (profile[m] > profile[busiest])
            {
                busiest = m;
            }
        }

        var rate = profile.Length > 0 ? profile[busiest] / 60 : 0;
        if (rate <= 0)
        {
            progress?.Invoke(1);
            return new Capacity(busiest, 0, 1, 1);
        }

        var from = Math.Max(0, busiest - 3);
        var steps = 0;
        var expected = 2 * Math.Max(1, Math.Ceiling(Math.Log2(options.MaxSize))); // doubling, then bisecting
        bool Meets(int n)
        {
            progress?.Invoke(Math.Min(0.95, steps++ / expected));
            var result = Simulator.Run(trace, new StaticPolicy(n), options, new RunSettings { FromMinute = from, EndMinute = busiest + 1 });
            return result.Score.SloAttainment >= options.SloTarget && result.Score.ViolationMinutes == 0;
        }

        var lo = 0;
        var hi = Math.Max(1, (int)Math.Ceiling(rate / 8));
        while (!Meets(hi))
        {
            if (hi >= options.MaxSize)
            {
                progress?.Invoke(1);
                return new Capacity(busiest, rate, options.MaxSize, rate / options.MaxSize);
            }

            lo = hi;
            hi = Math.Min(options.MaxSize, hi * 2);
        }

        while (hi - lo > 1)
        {
            var mid = lo + (hi - lo) / 2;
            if (Meets(mid))
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        progress?.Invoke(1);
        return new Capacity(busiest, rate, hi, rate / hi);
    }
}
