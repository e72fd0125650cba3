using System.Globalization;
using AiLbAutoscaler.Core.Engine.Voting;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.State;

namespace AiLbAutoscaler.Core.Engine.Release;

/// <summary>
/// Calm release (<see cref="CalmReleaseOptions"/>). It casts no vote: it keeps the request-rate readings of one window,
/// and <see cref="Calm"/> tells <see cref="Rules.ScaleDownRule"/> when the rate has stayed within the band for the whole
/// window, so that a scale-down need not wait out the scale-down limit.
/// </summary>
public sealed class CalmReleaseVoter : IVoter
{
    /// <summary>More readings than this are never kept (a window of an hour at one tick a second would be 3,600).</summary>
    public const int MaxReadings = 512;

    public void Vote(VotingContext context, Ballot ballot)
    {
    }

    /// <summary>
    /// Why the load is calm at this tick, for the audit; null when it is not: calm release is off, the rate has no fresh
    /// reading now, the readings do not cover the window, or within it the rate touched zero or left the band.
    /// </summary>
    public static string? Calm(DecisionContext context)
    {
        var options = context.Policy.CalmRelease;
        if (!options.Enabled || context.State.Calm is not { } model ||
            VotingContext.FreshIn(context.Input, context.Now, options.RateSignal) is not { ObservedAt: { } at, Value: double rate })
        {
            return null;
        }

        var window = options.WindowFor(context.Policy);
        var readings = With(model.Recent, at, rate, window);
        if (readings.Count < 2 || (at - readings[0].At).TotalSeconds < window)
        {
            return null;
        }

        var (low, high) = (readings.Min(r => r.Rate), readings.Max(r => r.Rate));
        return low > 0 && high <= options.Band * low
            ? string.Create(CultureInfo.InvariantCulture,
                $"calm release: {options.RateSignal} within ×{high / low:0.##} ({low:0.##}–{high:0.##}) over the last {window:0} s (band ×{options.Band:0.##})")
            : null;
    }

    public StackState Learn(VotingContext context, StackState next)
    {
        var options = context.Policy.CalmRelease;
        if (!options.Enabled)
        {
            return next with { Calm = null };
        }

        var model = context.Input.State.Calm ?? CalmModel.Empty;
        if (context.FreshAfter(options.RateSignal, model.Recent) is not { } reading)
        {
            return next with { Calm = model };
        }

        return next with { Calm = new CalmModel(With(model.Recent, reading.ObservedAt!.Value, reading.Value!.Value, options.WindowFor(context.Policy))) };
    }

    /// <summary>
    /// The learned readings with the reading of <paramref name="at"/> as the newest, cut to what still matters: the rule
    /// judges this tick's window with it before the voter learns it.
    /// </summary>
    private static List<RateSample> With(IReadOnlyList<RateSample> learned, DateTimeOffset at, double rate, double windowSeconds) =>
        Kept([.. learned.Where(r => r.At < at), new RateSample(at, rate, 0)], windowSeconds);

    /// <summary>
    /// The readings that still matter: those inside the window that ends at the newest, and the newest one before it. A gap
    /// of more than half a window between two readings means the rate went unseen, so only the readings after it are kept.
    /// </summary>
    private static List<RateSample> Kept(List<RateSample> readings, double windowSeconds)
    {
        var start = 0;
        for (var i = 1; i < readings.Count; i++)
        {
            if ((readings[i].At - readings[i - 1].At).TotalSeconds > windowSeconds / 2)
            {
                start = i;
            }
        }

        var newest = readings[^1].At;
        while (start + 1 < readings.Count && (newest - readings[start + 1].At).TotalSeconds >= windowSeconds)
        {
            start++;
        }

        start = Math.Max(start, readings.Count - MaxReadings);
        return readings.GetRange(start, readings.Count - start);
    }
}
