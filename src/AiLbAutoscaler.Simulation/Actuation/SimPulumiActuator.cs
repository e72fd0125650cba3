using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Simulation.Actuation;

/// <summary>
/// A stand-in for the Pulumi actuator with its documented contract: the stack's configured size is the current size;
/// applying the size in force is a no-op; an update already running makes the next apply report Busy (Pulumi's 409); an
/// update fails with the configured probability (the size stays). A successful update reaches the MIG after the update
/// time (jittered).
/// </summary>
internal sealed class SimPulumiActuator(PulumiOptions options, SimRandom random, int initialSize) : IFleetActuator
{
    private double _busyUntil = double.NegativeInfinity;

    public ISimulatedGroup? Group { get; set; }

    /// <summary>The size the stack's configuration holds (what the last successful update set).</summary>
    public int StackSize { get; private set; } = initialSize;

    public int Updates { get; private set; }

    public int Failures { get; private set; }

    public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) => Task.FromResult(StackSize);

    public Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken)
    {
        var group = Group ?? throw new InvalidOperationException("The simulated actuator has no group attached.");
        var now = group.Now;
        if (desiredSize == StackSize)
        {
            return Task.FromResult(new ActuationResult(ActuationOutcome.NoChange));
        }

        if (now < _busyUntil)
        {
            return Task.FromResult(new ActuationResult(ActuationOutcome.Busy, "simulated: another update is currently in progress"));
        }

        var duration = random.Jitter(options.UpdateSeconds, options.UpdateJitter);
        if (random.NextDouble() < options.FailureProbability)
        {
            Failures++;
            return Task.FromResult(new ActuationResult(ActuationOutcome.Failed, "simulated: pulumi up failed", TimeSpan.FromSeconds(duration)));
        }

        var previous = StackSize;
        StackSize = desiredSize;
        Updates++;
        _busyUntil = now + duration;
        group.At(now + duration, () => group.Resize(desiredSize));
        return Task.FromResult(new ActuationResult(ActuationOutcome.Applied, $"{previous} → {desiredSize}", TimeSpan.FromSeconds(duration)));
    }
}
