using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Core.Ports;

/// <summary>
/// Reads and changes a stack's target size. The deployed stack is the source of truth for the current size.
/// </summary>
public interface IFleetActuator
{
    Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken);

    /// <summary>Sets the target size. Idempotent: asking for the size in force changes nothing and reports <see cref="ActuationOutcome.NoChange"/>.</summary>
    Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken);
}
