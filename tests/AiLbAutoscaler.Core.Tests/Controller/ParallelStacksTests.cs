using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Tests.Support;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Core.Tests.Controller;

[Trait("Area", "Controller")]
public sealed class ParallelStacksTests
{
    [Fact]
    public async Task A_long_update_of_one_stack_does_not_hold_back_the_others()
    {
        var gated = new GatedActuator("slow");
        var policies = new Dictionary<string, ScalingPolicy>
        {
            ["slow"] = Fixtures.Open(Fixtures.Utilization(SignalNames.GpuUtilization, 0.5)),
            ["fast"] = Fixtures.Open(Fixtures.Utilization(SignalNames.GpuUtilization, 0.5)),
        };
        var h = new ControllerHarness(policies, wrapActuator: inner => gated.Wrapping(inner));
        foreach (var stack in policies.Keys)
        {
            h.Metrics.Set(stack, Fixtures.Reading(SignalNames.GpuUtilization, 1.0, h.Clock.GetUtcNow()));
        }

        var tick = h.Controller.TickAllAsync(DecisionTrigger.Timer, CancellationToken.None);

        // "fast" is applied while "slow" is still inside its update.
        await gated.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => h.Actuator.Applied.Any(a => a.Stack == "fast"));
        Assert.False(tick.IsCompleted);

        gated.Release.SetResult();
        var results = await tick.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["slow", "fast"], results.Select(r => r.Stack));
        Assert.All(results, r => Assert.Equal(ActuationOutcome.Applied, r.Actuation!.Outcome));
    }

    [Fact]
    public void The_number_of_stacks_at_once_is_bounded_by_a_setting()
    {
        var validator = new AutoscalerOptionsValidator();
        var options = new AutoscalerOptions { MaxParallelStacks = 0 };
        options.Stacks["a"] = new StackOptions { Policy = ScalingPolicy.CreateDefault() };

        var result = validator.Validate(null, options);

        Assert.Contains("Autoscaler:MaxParallelStacks must be in [1, 64] (was 0).", result.Failures!);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the other stack was never applied while one update was running");
            await Task.Delay(10);
        }
    }

    /// <summary>Holds the apply of one stack until the test releases it.</summary>
    private sealed class GatedActuator(string gatedStack)
    {
        public string GatedStack { get; } = gatedStack;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IFleetActuator Wrapping(IFleetActuator inner) => new Gate(this, inner);

        private sealed class Gate(GatedActuator owner, IFleetActuator inner) : IFleetActuator
        {
            public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) => inner.GetCurrentSizeAsync(stack, cancellationToken);

            public async Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken)
            {
                if (stack == owner.GatedStack)
                {
                    owner.Entered.TrySetResult();
                    await owner.Release.Task.WaitAsync(cancellationToken);
                }

                return await inner.ApplyAsync(stack, desiredSize, reason, cancellationToken);
            }
        }
    }
}
