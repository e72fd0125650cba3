using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Tests.Support;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Core.Tests.Controller;

[Trait("Area", "Controller")]
public sealed class LeaseLossTests
{
    [Fact]
    public async Task An_update_stops_when_the_lease_is_lost_and_the_size_stays_pending()
    {
        var losable = new LosableLock();
        var actuator = new WaitingActuator();
        var harness = new ControllerHarness(
            new Dictionary<string, Core.Policy.ScalingPolicy> { ["svc"] = Fixtures.Open(Fixtures.Utilization(SignalNames.GpuUtilization, 0.5)) },
            wrapActuator: _ => actuator,
            wrapLocks: inner => losable.Wrapping(inner));
        harness.Metrics.Set("svc", Fixtures.Reading(SignalNames.GpuUtilization, 1.0, harness.Clock.GetUtcNow()));

        var tick = harness.Controller.TickAsync("svc", DecisionTrigger.Timer, CancellationToken.None);
        await actuator.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        losable.Lose();
        var result = await tick.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(TickOutcome.Completed, result.Outcome);
        Assert.Equal(ActuationOutcome.Failed, result.Actuation!.Outcome);
        Assert.Contains("lease was lost", result.Actuation.Message);
        Assert.True(actuator.SawCancellation);
        var state = (await harness.Store.LoadAsync("svc", CancellationToken.None)).State;
        Assert.Equal(2, state.PendingDesiredSize); // 1 serving × 1.0 / 0.5 = 2, kept for the next tick
    }

    private sealed class WaitingActuator : IFleetActuator
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool SawCancellation { get; private set; }

        public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) => Task.FromResult(1);

        public async Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                SawCancellation = true;
                throw;
            }

            return new ActuationResult(ActuationOutcome.Applied);
        }
    }

    /// <summary>Hands out the inner lock's leases with a Lost token the test can fire.</summary>
    private sealed class LosableLock
    {
        private readonly CancellationTokenSource _lost = new();

        public void Lose() => _lost.Cancel();

        public IStackLock Wrapping(IStackLock inner) => new Reliability.LosableLockStandIn(inner, _lost.Token);
    }
}
