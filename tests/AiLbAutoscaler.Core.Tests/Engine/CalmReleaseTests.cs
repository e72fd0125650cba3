using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Engine.Release;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.Tests.Support;

namespace AiLbAutoscaler.Core.Tests.Engine;

/// <summary>Once the request rate has been calm for a whole window, a scale-down skips the scale-down limit (Policy:CalmRelease).</summary>
[Trait("Area", "Engine")]
public sealed class CalmReleaseTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Sized by utilization (target 0.5); the request rate is read for calm only. The shipped limits: −10 % or −1 per 60 s,
    /// window 300 s. No stabilization unless asked, so that the limit is what holds.
    /// </summary>
    private static EngineLoop Loop(int size, bool enabled = true, double stabilizationSeconds = 0)
    {
        var policy = Fixtures.Open(Fixtures.Utilization(SignalNames.GpuUtilization, 0.5));
        policy.ScaleDownLimit = new RateLimit { Percent = 10, Instances = 1, PeriodSeconds = 60 };
        policy.ScaleDownStabilizationSeconds = stabilizationSeconds;
        policy.CalmRelease = new CalmReleaseOptions { Enabled = enabled, WindowSeconds = 300, Band = 1.25 };
        return new EngineLoop(policy, size);
    }

    /// <summary>One tick: utilization that asks for <paramref name="wants"/> instances of the current size, and the rate.</summary>
    private static ScalingDecision Step(EngineLoop loop, int wants, double? rate)
    {
        List<SignalReading> readings = [SignalReading.Of(SignalNames.GpuUtilization, 0.5 * wants / loop.Size, loop.Now)];
        if (rate is double r)
        {
            readings.Add(SignalReading.Of(SignalNames.RequestRate, r, loop.Now));
        }

        var decision = loop.TickWith(readings);
        loop.Advance(Tick);
        return decision;
    }

    /// <summary>A crowd at 500 req/s on 50 instances, then the rate falls to about 100 and the signals ask for 10.</summary>
    private static List<ScalingDecision> CrowdThenCalm(EngineLoop loop, Func<int, double> rateAfter, int ticksAfter = 24)
    {
        for (var i = 0; i < 8; i++)
        {
            Step(loop, 50, 500);
        }

        return [.. Enumerable.Range(0, ticksAfter).Select(i => Step(loop, 10, rateAfter(i)))];
    }

    [Fact]
    public void After_a_whole_window_of_calm_the_group_sheds_the_crowd_s_capacity_in_one_step_and_names_the_lever()
    {
        var loop = Loop(50);
        var after = CrowdThenCalm(loop, i => i % 2 == 0 ? 100 : 104);

        // The first 300 s still hold a reading of the crowd: −10 % per minute, 50 → 45 → 40 → 36 → 32 → 28.
        Assert.Equal([45, 45, 45, 45, 40, 40, 40, 40, 36, 36, 36, 36, 32, 32, 32, 32, 28, 28, 28, 28],
            after.Take(20).Select(d => d.DesiredSize));
        Assert.All(after.Take(20).Where(d => d.ChangesSize), d => Assert.Contains(d.Limits, l => l.Rule == DecisionRules.ScaleDownLimit));
        Assert.All(after.Take(20), d => Assert.DoesNotContain(d.Limits, l => l.Rule == DecisionRules.CalmRelease));

        // At 300 s after the fall, every reading of the window is 100–104 req/s: straight to what the signals ask for.
        var released = after[20];
        Assert.Equal(10, released.DesiredSize);
        var limit = Assert.Single(released.Limits, l => l.Rule == DecisionRules.CalmRelease);
        Assert.Equal((25, 10), (limit.Before, limit.After)); // the limit would have allowed 28 → 25
        Assert.Contains("request_rate within ×1.04 (100–104) over the last 300 s (band ×1.25)", limit.Detail);
        Assert.Contains("scale-down limit (at least 25) is lifted", limit.Detail);
        Assert.Contains("calm release", released.Explanation);
    }

    [Fact]
    public void A_rate_that_keeps_swinging_leaves_the_scale_down_limit_as_it_was()
    {
        static double Swing(int i) => i % 4 < 2 ? 100 : 150; // ×1.5, outside the band
        var calmOn = CrowdThenCalm(Loop(50), Swing, ticksAfter: 60).Select(d => d.DesiredSize).ToList();
        var calmOff = CrowdThenCalm(Loop(50, enabled: false), Swing, ticksAfter: 60).Select(d => d.DesiredSize).ToList();

        Assert.Equal(calmOff, calmOn);
        // A minute at a time, until the dead band (10 of 11 is within the 0.1 tolerance) stops it.
        Assert.Equal(11, calmOn[^1]);
        Assert.Equal(44, calmOn.IndexOf(11));
    }

    [Fact]
    public void Disabled_it_keeps_the_limit_even_when_the_rate_is_calm_and_learns_nothing()
    {
        var loop = Loop(50, enabled: false);
        var after = CrowdThenCalm(loop, _ => 100);

        Assert.Equal(25, after[20].DesiredSize); // 28 → 25 by the limit, not 10
        Assert.DoesNotContain(after, d => d.Limits.Any(l => l.Rule == DecisionRules.CalmRelease));
        Assert.Null(loop.State.Calm);
    }

    [Fact]
    public void A_zero_reading_in_the_window_is_not_calm()
    {
        // 100 req/s except one minute of nothing at 120 s after the fall: a burst train's gap, not calm.
        var after = CrowdThenCalm(Loop(50), i => i is 8 or 9 ? 0 : 100, ticksAfter: 36);

        Assert.Equal(25, after[20].DesiredSize);
        Assert.DoesNotContain(after.Take(30), d => d.Limits.Any(l => l.Rule == DecisionRules.CalmRelease));
        // Released once the zero has left the window (300 s after it).
        Assert.Contains(after.Skip(30), d => d.Limits.Any(l => l.Rule == DecisionRules.CalmRelease));
    }

    [Fact]
    public void Without_a_fresh_rate_on_the_tick_nothing_is_released()
    {
        var loop = Loop(50);
        CrowdThenCalm(loop, _ => 100, ticksAfter: 20);

        var missing = Step(loop, 10, rate: null);
        Assert.Equal(25, missing.DesiredSize); // the limit, as if calm release were off
        Assert.DoesNotContain(missing.Limits, l => l.Rule == DecisionRules.CalmRelease);

        // A reading stamped older than MaxSignalAgeSeconds (420 s) is stale, and not calm either.
        loop.Advance(TimeSpan.FromSeconds(45));
        var stale = loop.TickWith([
            SignalReading.Of(SignalNames.GpuUtilization, 0.5 * 10 / loop.Size, loop.Now),
            SignalReading.Of(SignalNames.RequestRate, 100, loop.Now - TimeSpan.FromSeconds(421)),
        ]);
        Assert.Equal(22, stale.DesiredSize);
        Assert.DoesNotContain(stale.Limits, l => l.Rule == DecisionRules.CalmRelease);
    }

    [Fact]
    public void A_gap_of_more_than_half_a_window_between_readings_starts_the_window_over()
    {
        var loop = Loop(50);
        CrowdThenCalm(loop, _ => 100, ticksAfter: 4);

        // 160 s without a rate reading (more than half of 300 s), then calm readings again.
        for (var i = 0; i < 11; i++)
        {
            Step(loop, 10, rate: null);
        }

        var after = Enumerable.Range(0, 24).Select(_ => Step(loop, 10, 100)).ToList();
        var first = after.FindIndex(d => d.Limits.Any(l => l.Rule == DecisionRules.CalmRelease));
        Assert.Equal(20, first); // 300 s of readings after the gap, not 300 s since the fall
    }

    [Fact]
    public void The_stabilization_window_still_holds_its_highest_recommendation()
    {
        var loop = Loop(50, stabilizationSeconds: 600);
        var after = CrowdThenCalm(loop, _ => 100, ticksAfter: 44);

        // Calm at 300 s, but the crowd's recommendation of 50 is in the 600 s window until 600 s after the fall.
        Assert.All(after.Take(32), d => Assert.Equal(50, d.DesiredSize));
        var released = after.First(d => d.DesiredSize < 50);
        Assert.Equal(10, released.DesiredSize);
        Assert.Contains(released.Limits, l => l.Rule == DecisionRules.CalmRelease);
    }

    [Fact]
    public void A_blocker_still_wins_over_calm_an_initializing_instance_holds_the_size()
    {
        var loop = Loop(50);
        loop.Policy.InitializationPeriodSeconds = 180;
        CrowdThenCalm(loop, _ => 100, ticksAfter: 20);
        loop.InstanceAges = [.. Enumerable.Repeat(TimeSpan.FromHours(1), 27), TimeSpan.FromSeconds(30)];

        var held = Step(loop, 10, 100);
        Assert.Equal(28, held.DesiredSize);
        Assert.Contains(held.Limits, l => l.Rule == DecisionRules.NoScaleDown);
        Assert.DoesNotContain(held.Limits, l => l.Rule == DecisionRules.CalmRelease);
    }

    [Fact]
    public void The_window_is_one_reaction_time_by_default_and_the_state_stays_bounded()
    {
        var policy = ScalingPolicy.CreateDefault();
        Assert.True(policy.CalmRelease.Enabled);
        Assert.Null(policy.CalmRelease.WindowSeconds);
        Assert.Equal(policy.ActuationSeconds + policy.InitializationPeriodSeconds, policy.CalmRelease.WindowFor(policy));

        var loop = Loop(10);
        for (var i = 0; i < 400; i++)
        {
            Step(loop, 10, 100);
        }

        // 300 s at 15 s a tick: the readings inside the window, and the one that shows it is covered.
        Assert.Equal(21, loop.State.Calm!.Recent.Count);
        Assert.True(CalmReleaseVoter.MaxReadings >= 3600 / 15);
    }

    [Theory]
    [InlineData("Band", 1.0, "CalmRelease:Band must be a finite number more than 1 (was 1)")]
    [InlineData("Band", double.NaN, "CalmRelease:Band must be a finite number more than 1 (was NaN)")]
    [InlineData("WindowSeconds", 0.0, "CalmRelease:WindowSeconds must be in (0, 3600], or empty for one reaction time (was 0)")]
    [InlineData("WindowSeconds", 4000.0, "CalmRelease:WindowSeconds must be in (0, 3600], or empty for one reaction time (was 4000)")]
    [InlineData("RateSignal", 0.0, "CalmRelease:RateSignal is required when CalmRelease is enabled")]
    public void A_bad_setting_fails_validation_naming_its_path(string setting, double value, string expected)
    {
        var policy = ScalingPolicy.CreateDefault();
        switch (setting)
        {
            case "Band": policy.CalmRelease.Band = value; break;
            case "WindowSeconds": policy.CalmRelease.WindowSeconds = value; break;
            default: policy.CalmRelease.RateSignal = " "; break;
        }

        var errors = ScalingPolicyValidator.Validate(policy, "Autoscaler:Stacks:inference:Policy");
        Assert.Contains(errors, e => e.StartsWith("Autoscaler:Stacks:inference:Policy:" + expected, StringComparison.Ordinal));

        policy.CalmRelease.Enabled = false;
        Assert.Empty(ScalingPolicyValidator.Validate(policy, "Autoscaler:Stacks:inference:Policy"));
    }
}
