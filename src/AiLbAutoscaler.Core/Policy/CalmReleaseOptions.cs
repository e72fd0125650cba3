namespace AiLbAutoscaler.Core.Policy;

/// <summary>
/// Release at once when the load is calm. The scale-down limit (−10 % or −1 per minute) keeps a group from chasing a
/// rate that swings; once the request rate has stayed within <see cref="Band"/> for a whole window, there is no swing to
/// guard against, and a scale-down goes straight to the highest recommendation of the stabilization window (which is still
/// held for its full 600 s, as GCE and the HPA hold it). After a flash crowd ends, the group then sheds the crowd's
/// capacity in one step instead of one minute-by-minute step at a time; on traffic that keeps swinging nothing changes.
/// </summary>
public sealed class CalmReleaseOptions
{
    public bool Enabled { get; set; }

    /// <summary>The group's total request rate, whose calm is judged (a fresh reading is needed on the tick itself).</summary>
    public string RateSignal { get; set; } = AiLbAutoscaler.Core.Signals.SignalNames.RequestRate;

    /// <summary>
    /// The window over which the rate must have stayed calm; null (the default) is one reaction time of a fresh reading,
    /// <see cref="ScalingPolicy.ActuationSeconds"/> + <see cref="ScalingPolicy.InitializationPeriodSeconds"/> (300 s): the
    /// time it takes to bring capacity back if the load returns.
    /// </summary>
    public double? WindowSeconds { get; set; }

    /// <summary>
    /// Calm means the highest reading of the window is at most this many times the lowest, and none is zero. 1.25: a
    /// minute's Poisson count at 10 req/s or more varies by 4 % or less (one standard deviation), so noise alone stays inside
    /// it, while a burst train or a crowd coming and going does not.
    /// </summary>
    public double Band { get; set; } = 1.25;

    /// <summary>The window in seconds for <paramref name="policy"/>.</summary>
    public double WindowFor(ScalingPolicy policy) => WindowSeconds ?? policy.ReactionSeconds(TimeSpan.Zero);
}
