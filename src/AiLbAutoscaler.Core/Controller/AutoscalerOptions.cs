using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Core.Controller;

/// <summary>
/// The controller's settings, bound from the <c>Autoscaler</c> section (app settings nest with <c>__</c>:
/// <c>Autoscaler__Stacks__inference__Policy__MaxSize=20</c>). Each adapter reads its own part of a stack's section.
/// </summary>
public sealed class AutoscalerOptions
{
    public const string SectionName = "Autoscaler";

    /// <summary>The stacks (services) this deployment scales, by name.</summary>
    public Dictionary<string, StackOptions> Stacks { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The stack's policy; an unknown stack is <see cref="UnknownStackException"/>.</summary>
    public ScalingPolicy PolicyFor(string stack) => Stacks.TryGetValue(stack, out var s) ? s.Policy : throw new UnknownStackException(stack);

    /// <summary>Audit records older than this are pruned.</summary>
    public int AuditRetentionDays { get; set; } = 30;

    /// <summary>How many recent decisions a status report shows.</summary>
    public int StatusDecisionCount { get; set; } = 10;

    /// <summary>How many stacks a timer tick works on at once.</summary>
    public int MaxParallelStacks { get; set; } = 4;

    /// <summary>The largest hold a manual rescale may ask for.</summary>
    public int MaxHoldMinutes { get; set; } = 7 * 24 * 60;

    /// <summary>
    /// The controller's own deadline for one tick, evaluation or rescale of one stack, lease to record. Keep it below the
    /// host's <c>functionTimeout</c> (host.json: 30 min) so the controller, not the host, ends a stuck call.
    /// </summary>
    public int TickTimeoutSeconds { get; set; } = 20 * 60;

    /// <summary>The deadline of one apply (one <c>pulumi up</c>); past it the apply is cancelled and its size kept pending.</summary>
    public int ApplyTimeoutSeconds { get; set; } = 15 * 60;

    public TimeSpan TickTimeout => TimeSpan.FromSeconds(TickTimeoutSeconds);

    public TimeSpan ApplyTimeout => TimeSpan.FromSeconds(ApplyTimeoutSeconds);
}

public sealed class StackOptions
{
    /// <summary>
    /// The policy. Configuration binds onto <see cref="ScalingPolicy.CreateDefault"/>, so a stack with no tuning runs the
    /// measured default and a setting replaces only its own value. Binding appends to lists, so the default's signals
    /// are left out here and filled in after binding when none were configured.
    /// </summary>
    public ScalingPolicy Policy { get; set; } = ScalingPolicy.CreateDefaultWithoutSignals();

    /// <summary>
    /// The shortest time between two timer ticks of this stack; a timer that fires sooner skips it. Null: the stack's
    /// metrics source's sample period (60 s on Cloud Monitoring, the scrape interval on Prometheus), so one timer can
    /// tick a Prometheus stack every 15 s and a Cloud Monitoring stack once a minute. 0: every time the timer fires.
    /// </summary>
    public double? TickSeconds { get; set; }
}
