namespace AiLbAutoscaler.Simulation.Policies;

/// <summary>
/// Knows the future arrivals. Each minute m needs n(m) instances (the minute's expected rate over the calibrated
/// per-instance rate); the oracle holds, at the start of minute k, the largest n over minutes k … k + ⌈boot / 60⌉, so
/// each instance is created exactly one boot time before the minute that needs it, and is drained when no minute within
/// a boot time needs it. Its instances boot in exactly the configured boot time (no jitter: the oracle knows it).
/// </summary>
public sealed class OraclePolicy : ISimPolicy
{
    public const string PolicyName = "oracle";

    private readonly Func<int, int> _required;
    private readonly int _lookahead;

    public OraclePolicy(Func<int, int> requiredForMinute, double bootSeconds)
    {
        _required = requiredForMinute;
        _lookahead = (int)Math.Ceiling(bootSeconds / 60 - 1e-9);
        InitialSize = SizeAt(0);
    }

    public string Name => PolicyName;

    public bool ExactBoot => true;

    public double TickSeconds => 60;

    public int InitialSize { get; }

    public int SizeAt(int minute)
    {
        var n = 0;
        for (var m = minute; m <= minute + _lookahead; m++)
        {
            n = Math.Max(n, _required(m));
        }

        return n;
    }

    public void Tick(ISimulatedGroup group) => group.Resize(SizeAt((int)Math.Round(group.Now / 60)));
}
