using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Core.Ports;

/// <summary>
/// Reads one stack's signals. Implementations never throw for a failed signal: after their own retries they return it
/// as missing with a reason, so one bad query cannot kill a tick. Cancellation still throws.
/// </summary>
public interface IMetricsSource
{
    Task<Observation> ObserveAsync(string stack, CancellationToken cancellationToken);

    /// <summary>
    /// How often this stack's signals can change (Cloud Monitoring's 60 s samples, a Prometheus scrape interval), or
    /// null when unknown. A timer tick sooner than this after the last one decides on the same data, so it is skipped.
    /// </summary>
    TimeSpan? SamplePeriod(string stack) => null;
}
