using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>
/// The oracle's per-minute plan: how many instances each minute's work needs on a fleet of that very size. Minutes are
/// grouped into load levels (requests per minute rounded up to a step of <see cref="LevelStep"/>, about 5 %); each level
/// is calibrated once, by replaying its busiest minute (and the one before it, to warm the fleet) on warm static fleets
/// and searching the smallest size whose feasible attainment reaches the aim. Calibrating every level at its own size is
/// what a single per-instance rate cannot do: small fleets multiplex less, so they need more per request.
/// </summary>
/// <remarks>
/// The aim is halfway between <see cref="SimulationOptions.SloTarget"/> and 100 %, so that the edges between minutes
/// (drains, a level's quieter minutes with heavier prompts) do not pull the whole run below the target. Cost: about
/// log2(size) replays of two minutes per level, run in parallel; the sizes never decrease with the level.
/// </remarks>
public sealed class OraclePlan
{
    public const double LevelStep = 1.05;

    private OraclePlan(int[] perMinute, int levels, bool hitMaxSize, double aim)
    {
        PerMinute = perMinute;
        Levels = levels;
        HitMaxSize = hitMaxSize;
        Aim = aim;
    }

    /// <summary>Instances each minute needs (0 for a minute without requests).</summary>
    public int[] PerMinute { get; }

    /// <summary>How many load levels were calibrated.</summary>
    public int Levels { get; }

    /// <summary>Some level needed more than MaxSize (its minutes get MaxSize).</summary>
    public bool HitMaxSize { get; }

    public double Aim { get; }

    public static OraclePlan Build(TraceSpec trace, double[] profile, Capacity capacity, SimulationOptions options, int maxParallelism, CancellationToken cancellation = default)
    {
        var aim = options.SloTarget + (1 - options.SloTarget) / 2;
        var levelOf = new int[profile.Length];
        var representative = new Dictionary<int, int>();
        for (var m = 0; m < profile.Length; m++)
        {
            if (profile[m] <= 0)
            {
                levelOf[m] = int.MinValue;
                continue;
            }

            var level = (int)Math.Ceiling(Math.Log(profile[m]) / Math.Log(LevelStep) - 1e-9);
            levelOf[m] = level;
            if (!representative.TryGetValue(level, out var r) || profile[m] > profile[r])
            {
                representative[level] = m;
            }
        }

        var levels = representative.Keys.Order().ToArray();
        var sizes = new int[levels.Length];
        var capped = new bool[levels.Length];
        Parallel.For(0, levels.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxParallelism), CancellationToken = cancellation }, i =>
        {
            var rep = representative[levels[i]];
            var guess = (int)Math.Ceiling(profile[rep] / 60 / capacity.RequestsPerInstancePerSecond - 1e-9);
            (sizes[i], capped[i]) = Calibration.SmallestMeeting(
                n => Calibration.MeetsAt(trace, options, Math.Max(0, rep - 1), rep + 1, n, aim), guess, options.MaxSize);
        });

        var byLevel = new Dictionary<int, int>(levels.Length);
        var running = 0;
        for (var i = 0; i < levels.Length; i++)
        {
            running = Math.Max(running, sizes[i]);
            byLevel[levels[i]] = running;
        }

        var perMinute = new int[profile.Length];
        for (var m = 0; m < profile.Length; m++)
        {
            perMinute[m] = levelOf[m] == int.MinValue ? 0 : byLevel[levelOf[m]];
        }

        return new OraclePlan(perMinute, levels.Length, capped.Any(c => c), aim);
    }
}
