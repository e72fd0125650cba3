namespace AiLbAutoscaler.Simulation.Monitoring;

/// <summary>
/// One minute as Cloud Monitoring would aggregate it (aligned to the minute). Load-balancer values: arrivals and request
/// rate, and p95 latencies of the requests that finished in the minute (<see cref="TtftP95Ms"/> counts dropped requests as
/// infinitely slow, for scoring; <see cref="ServedTtftP95Ms"/> is what a latency metric shows: served requests only). Instance values: mean utilization (busy batch slots
/// / B, time-averaged over serving instances), mean in-flight plus queued requests per serving instance, mean queued (waiting, not yet in the batch: vLLM's
/// <c>num_requests_waiting</c>) per serving instance, and group size.
/// </summary>
public readonly record struct MinuteStats(
    int Minute,
    long Arrivals,
    long Completed,
    long Dropped,
    double TtftP95Ms,
    double ServedTtftP95Ms,
    double E2eP95Ms,
    double Utilization,
    double QueuePerInstance,
    int GroupSize,
    int Serving,
    int Booting,
    int TargetSize,
    double WaitingPerInstance = double.NaN)
{
    public double RequestRate => Arrivals / 60.0;

    /// <summary>When the minute ends, in simulated seconds: the time its values describe.</summary>
    public double EndSeconds => (Minute + 1) * 60.0;
}
