using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.State;

namespace AiLbAutoscaler.Core.Engine.Rules;

/// <summary>The HPA's rate-limit arithmetic over the size changes of a period.</summary>
public static class RateLimits
{
    /// <summary>
    /// The size at the start of the period grown by the larger of the percentage and the instance count. Never below
    /// <paramref name="current"/>: a limit may stop growth, not turn it into a shrink.
    /// </summary>
    public static int ScaleUpCap(RateLimit limit, int current, IReadOnlyList<ScaleEvent> events, DateTimeOffset now)
    {
        var periodStart = PeriodStart(current, events, now - limit.Period);
        var byPercent = (int)Math.Ceiling(periodStart * (1 + limit.Percent / 100) - 1e-9);
        return Math.Max(current, Math.Max(byPercent, periodStart + limit.Instances));
    }

    /// <summary>
    /// The size at the start of the period shrunk by the larger of the percentage and the instance count. Never above
    /// <paramref name="current"/>: a limit may stop a shrink, not turn it into growth.
    /// </summary>
    public static int ScaleDownFloor(RateLimit limit, int current, IReadOnlyList<ScaleEvent> events, DateTimeOffset now)
    {
        var periodStart = PeriodStart(current, events, now - limit.Period);
        var byPercent = (int)Math.Floor(periodStart * (1 - limit.Percent / 100) + 1e-9);
        return Math.Min(current, Math.Max(0, Math.Min(byPercent, periodStart - limit.Instances)));
    }

    /// <summary>The size before every change made after <paramref name="since"/> (HPA: current − added + removed).</summary>
    private static int PeriodStart(int current, IReadOnlyList<ScaleEvent> events, DateTimeOffset since)
    {
        var start = current;
        foreach (var e in events)
        {
            if (e.At > since)
            {
                start -= e.To - e.From;
            }
        }

        return Math.Max(0, start);
    }
}
