using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>
/// Finds the smallest fixed fleet that meets the SLO at the trace's busiest minute: it replays that minute and the three
/// before it on a warm fleet of N and searches N (doubling, then bisecting). Meeting the SLO means a share of
/// <em>feasible</em> requests within the SLO of at least <see cref="SimulationOptions.SloTarget"/>: a request whose prefill
/// alone exceeds the SLO misses on any fleet, so it cannot tell one size from another.
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
        var (size, capped) = SmallestMeeting(
            n =>
            {
                progress?.Invoke(Math.Min(0.95, steps++ / expected));
                return MeetsAt(trace, options, from, busiest + 1, n, options.SloTarget);
            },
            Math.Max(1, (int)Math.Ceiling(rate / 8)),
            options.MaxSize);
        progress?.Invoke(1);
        return new Capacity(busiest, rate, size, rate / size) { HitMaxSize = capped };
    }

    /// <summary>Whether a warm static fleet of <paramref name="size"/> keeps feasible attainment at or above <paramref name="aim"/> over minutes [from, to).</summary>
    internal static bool MeetsAt(TraceSpec trace, SimulationOptions options, int from, int to, int size, double aim)
    {
        var result = Simulator.Run(trace, new StaticPolicy(size), options, new RunSettings { FromMinute = from, EndMinute = to });
        return result.Score.FeasibleAttainment >= aim;
    }

    /// <summary>
    /// The smallest n in [1, max] with <paramref name="meets"/>(n), searched from a guess (halving or doubling, then
    /// bisecting; meeting is taken as monotone in n). Capped is true when even <paramref name="max"/> does not meet it.
    /// </summary>
    internal static (int Size, bool Capped) SmallestMeeting(Func<int, bool> meets, int guess, int max)
    {
        int lo, hi;
        guess = Math.Clamp(guess, 1, max);
        if (meets(guess))
        {
            hi = guess;
            lo = hi / 2;
            while (lo >= 1 && meets(lo))
            {
                hi = lo;
                lo /= 2;
            }
        }
        else
        {
            lo = guess;
            hi = guess;
            while (true)
            {
                if (hi >= max)
                {
                    return (max, true);
                }

                lo = hi;
                hi = Math.Min(max, hi * 2);
                if (meets(hi))
                {
                    break;
                }
            }
        }

        while (hi - lo > 1)
        {
            var mid = lo + (hi - lo) / 2;
            if (meets(mid))
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        return (hi, false);
    }
}
