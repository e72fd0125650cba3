using System.Globalization;
using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Core.Signals;

/// <summary>
/// What a reading may be, per kind of target: a value outside its kind's bounds, or a time stamp more than a small skew
/// ahead of now, is invalid. The engine treats an invalid reading as missing, with the reason, never as a vote.
/// </summary>
public static class SignalValidity
{
    /// <summary>How far ahead of the controller's clock a reading's time stamp may be (clocks differ a little).</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The smallest valid value of each kind: a utilization, a rate or count per instance and a latency are never
    /// negative. No kind has an upper bound that holds for every source (CPU utilization may pass 1 on bursts).
    /// </summary>
    public static double LowerBound(TargetKind kind) => kind switch
    {
        TargetKind.Utilization or TargetKind.PerInstance or TargetKind.LatencySlo => 0,
        _ => double.NegativeInfinity,
    };

    /// <summary>Why <paramref name="reading"/> is invalid for a target of <paramref name="kind"/> at <paramref name="now"/>, or null.</summary>
    public static string? Problem(SignalReading reading, TargetKind kind, DateTimeOffset now)
    {
        if (reading.Value is double v && v < LowerBound(kind))
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"invalid reading {v:0.###}: a {kind} signal is never below {LowerBound(kind):0.###}");
        }

        if (reading.ObservedAt is { } at && at - now > MaxFutureSkew)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"invalid reading: stamped {(at - now).TotalSeconds:0} s in the future (more than the {MaxFutureSkew.TotalSeconds:0} s skew allowed)");
        }

        return null;
    }
}
