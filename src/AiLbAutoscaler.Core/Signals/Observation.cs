namespace AiLbAutoscaler.Core.Signals;

/// <summary>
/// What a metrics source saw for one stack in one tick: the signals, and the ages of the group's instances where the
/// source can tell them (for example from <c>compute.googleapis.com/instance/uptime</c>); null when it cannot.
/// </summary>
public sealed record Observation(IReadOnlyList<SignalReading> Signals, IReadOnlyList<TimeSpan>? InstanceAges = null)
{
    public static Observation Empty { get; } = new([]);

    public SignalReading? Find(string signal) => SignalReading.FindIn(Signals, signal);
}
