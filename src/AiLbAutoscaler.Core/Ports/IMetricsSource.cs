using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Core.Ports;

/// <summary>
/// Reads one stack's signals. Implementations never throw for a failed signal: after their own retries they return it
/// as missing with a reason, so one bad query cannot kill a tick. Cancellation still throws.
/// </summary>
public interface IMetricsSource
{
    Task<Observation> ObserveAsync(string stack, CancellationToken cancellationToken);
}
