using AiLbAutoscaler.Simulation.Monitoring;

namespace AiLbAutoscaler.Simulation.Scoring;

/// <summary>
/// Counts every request once: served (with its latencies) or dropped, and whether it was feasible. An infeasible request
/// can never be within the SLO (its TTFT is at least its prefill), so <see cref="WithinSlo"/> counts feasible ones only.
/// Keeps fixed-size histograms only.
/// </summary>
internal sealed class RequestLedger(double sloMs, double prefillFixedMs, double prefillMsPerToken)
{
    public long Arrivals;

    /// <summary>Arrivals whose TTFT on an idle instance (prefill alone) is within the SLO: the only ones any fleet can serve in time.</summary>
    public long FeasibleArrivals;
    public long Served;
    public long Dropped;
    public long WithinSlo;

    public LogHistogram Ttft { get; } = new();

    public LogHistogram E2e { get; } = new();

    public LogHistogram MinuteTtft { get; } = new();

    public LogHistogram MinuteE2e { get; } = new();

    public long MinuteArrivals;
    public long MinuteCompleted;
    public long MinuteDropped;

    public void Arrive(int promptTokens)
    {
        Arrivals++;
        MinuteArrivals++;
        if (prefillFixedMs + promptTokens * prefillMsPerToken <= sloMs)
        {
            FeasibleArrivals++;
        }
    }

    public void Complete(float ttftMs, float e2eMs)
    {
        Served++;
        MinuteCompleted++;
        if (ttftMs <= sloMs)
        {
            WithinSlo++;
        }

        Ttft.Record(ttftMs);
        E2e.Record(e2eMs);
        MinuteTtft.Record(ttftMs);
        MinuteE2e.Record(e2eMs);
    }

    public void Drop(long count = 1)
    {
        Dropped += count;
        MinuteDropped += count;
        for (var i = 0; i < count; i++)
        {
            MinuteTtft.RecordOverflow();
        }
    }

    public void ResetMinute()
    {
        MinuteTtft.Clear();
        MinuteE2e.Clear();
        MinuteArrivals = 0;
        MinuteCompleted = 0;
        MinuteDropped = 0;
    }
}
