using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;
using AiLbAutoscaler.Core.Tests.Support;

namespace AiLbAutoscaler.Core.Tests.Controller;

/// <summary>
/// One timer, stacks of different sample periods: a timer tick sooner than a stack's interval after its last timer tick
/// skips it (nothing read, decided or audited); manual calls are never skipped.
/// </summary>
[Trait("Area", "Controller")]
public sealed class TickIntervalTests
{
    private static ScalingPolicy Policy()
    {
        var policy = Fixtures.Defaults(new SignalTarget { Signal = SignalNames.GpuUtilization, Kind = TargetKind.Utilization, Target = 0.6 });
        policy.MinSize = 1;
        policy.MaxSize = 10;
        return policy;
    }

    private static async Task<List<TickOutcome>> TimerEvery15sAsync(ControllerHarness h, int ticks)
    {
        var outcomes = new List<TickOutcome>();
        for (var i = 0; i < ticks; i++)
        {
            h.Observe("svc", (SignalNames.GpuUtilization, 0.4));
            outcomes.Add((await h.Controller.TickAsync("svc", DecisionTrigger.Timer, default)).Outcome);
            h.Clock.Advance(TimeSpan.FromSeconds(15));
        }

        return outcomes;
    }

    [Fact]
    public async Task A_60_s_stack_on_a_15_s_timer_decides_once_a_minute_and_audits_only_those_ticks()
    {
        var h = new ControllerHarness(Policy());
        h.Options.Stacks["svc"].TickSeconds = 60;

        var outcomes = await TimerEvery15sAsync(h, 9);

        Assert.Equal(
            [TickOutcome.Completed, TickOutcome.NotDue, TickOutcome.NotDue, TickOutcome.NotDue, TickOutcome.Completed,
             TickOutcome.NotDue, TickOutcome.NotDue, TickOutcome.NotDue, TickOutcome.Completed],
            outcomes);
        Assert.Equal(3, (await h.AuditTrailAsync()).Count);
        Assert.Equal(h.Now - TimeSpan.FromSeconds(15), (await h.StateAsync()).LastTimerTickAt);
    }

    private static async Task<ControllerHarness> After60sStacksFirstTimerTickAsync()
    {
        var h = new ControllerHarness(Policy());
        h.Options.Stacks["svc"].TickSeconds = 60;
        h.Observe("svc", (SignalNames.GpuUtilization, 0.4));
        await h.Controller.TickAsync("svc", DecisionTrigger.Timer, default);
        return h;
    }

    [Fact]
    public async Task A_timer_a_little_early_still_counts_as_due()
    {
        var h = await After60sStacksFirstTimerTickAsync();

        h.Clock.Advance(TimeSpan.FromSeconds(56));
        Assert.Equal(TickOutcome.Completed, (await h.Controller.TickAsync("svc", DecisionTrigger.Timer, default)).Outcome);
        h.Clock.Advance(TimeSpan.FromSeconds(54));
        var early = await h.Controller.TickAsync("svc", DecisionTrigger.Timer, default);
        Assert.Equal(TickOutcome.NotDue, early.Outcome);
        Assert.Contains("ticks every 60 s", early.Error);
    }

    [Fact]
    public async Task Manual_calls_are_never_skipped_and_do_not_move_the_timers_clock()
    {
        var h = await After60sStacksFirstTimerTickAsync();
        var first = (await h.StateAsync()).LastTimerTickAt;

        h.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TickOutcome.Completed, (await h.Controller.EvaluateAsync("svc", dryRun: false, DecisionTrigger.Http, default)).Outcome);
        Assert.Equal(TickOutcome.Completed, (await h.Controller.RescaleAsync("svc", new RescaleRequest(3, "test", TimeSpan.Zero), DecisionTrigger.Http, default)).Outcome);
        Assert.Equal(3, await h.SizeAsync());
        Assert.Equal(first, (await h.StateAsync()).LastTimerTickAt);
    }

    [Fact]
    public async Task Without_a_setting_the_metrics_sources_sample_period_sets_the_interval_and_zero_ticks_every_time()
    {
        var h = new ControllerHarness(new Dictionary<string, ScalingPolicy> { ["svc"] = Policy() },
            wrapMetrics: inner => new PeriodMetrics(inner, TimeSpan.FromSeconds(30)));

        Assert.Equal(
            [TickOutcome.Completed, TickOutcome.NotDue, TickOutcome.Completed, TickOutcome.NotDue, TickOutcome.Completed],
            await TimerEvery15sAsync(h, 5));

        h.Options.Stacks["svc"].TickSeconds = 0;
        Assert.All(await TimerEvery15sAsync(h, 4), o => Assert.Equal(TickOutcome.Completed, o));
    }

    [Fact]
    public async Task A_source_that_does_not_know_its_period_ticks_on_every_timer()
    {
        var h = new ControllerHarness(Policy());

        Assert.All(await TimerEvery15sAsync(h, 4), o => Assert.Equal(TickOutcome.Completed, o));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3601)]
    [InlineData(double.NaN)]
    public void A_tick_interval_out_of_range_fails_validation_naming_its_setting(double seconds)
    {
        var options = new AutoscalerOptions { Stacks = { ["a"] = new StackOptions { TickSeconds = seconds } } };
        var validator = new AutoscalerOptionsValidator();
        validator.PostConfigure(null, options);

        var failure = Assert.Single(validator.Validate(null, options).Failures!);

        Assert.StartsWith("Autoscaler:Stacks:a:TickSeconds must be in [0, 3600]", failure);
    }

    [Fact]
    public void Two_writers_keep_the_later_timer_tick()
    {
        var basis = new StackState { LastTimerTickAt = Fixtures.T0 };
        var merged = StateMerge.Merge(basis with { LastTimerTickAt = Fixtures.T0.AddSeconds(15) }, basis with { LastTimerTickAt = Fixtures.T0.AddSeconds(60) }, basis);

        Assert.Equal(Fixtures.T0.AddSeconds(60), merged.LastTimerTickAt);
    }

    private sealed class PeriodMetrics(IMetricsSource inner, TimeSpan period) : IMetricsSource
    {
        public Task<Observation> ObserveAsync(string stack, CancellationToken cancellationToken) => inner.ObserveAsync(stack, cancellationToken);

        public TimeSpan? SamplePeriod(string stack) => period;
    }
}
