using AiLbAutoscaler.Simulation.Policies;

namespace AiLbAutoscaler.Simulation.Tests;

/// <summary>Each baseline against decisions worked out by hand from its published formula and defaults.</summary>
[Trait("Area", "Simulation")]
public sealed class BaselineDecisionTests
{
    [Fact]
    public void Hpa_scales_up_by_the_ratio_of_utilization_to_target()
    {
        var hpa = new HpaPolicy(new HpaOptions(), 4, 100);
        var g = new FakeGroup(now: 300, size: 4, serving: 4, utilization: 0.9);
        hpa.Tick(g);

        // ratio 0.9 / 0.6 = 1.5 → ⌈4 × 1.5⌉ = 6; the limit max(2 × 4, 4 + 4) = 8 does not bind.
        Assert.Equal([6], g.Resizes);
    }

    [Fact]
    public void Hpa_does_nothing_within_the_tolerance()
    {
        var hpa = new HpaPolicy(new HpaOptions(), 4, 100);
        var g = new FakeGroup(300, 4, 4, 0.65); // 0.65 / 0.6 = 1.083, within 0.1
        hpa.Tick(g);
        Assert.Empty(g.Resizes);
    }

    [Fact]
    public void Hpa_counts_booting_instances_at_zero_on_scale_up()
    {
        var hpa = new HpaPolicy(new HpaOptions(), 10, 100);

        // 6 ready at 0.9 of 10: recomputed ratio 0.9 × 6 / (0.6 × 10) = 0.9 reverses direction → no change.
        var reverses = new FakeGroup(300, 10, 6, 0.9);
        hpa.Tick(reverses);
        Assert.Empty(reverses.Resizes);

        // 8 ready at 1.0 of 10: 1.0 × 8 / 6 = 1.333 → ⌈1.333 × 10⌉ = 14.
        var grows = new FakeGroup(315, 10, 8, 1.0);
        hpa.Tick(grows);
        Assert.Equal([14], grows.Resizes);
    }

    [Fact]
    public void Hpa_limits_scale_up_to_the_larger_of_double_and_plus_four_per_period()
    {
        var hpa = new HpaPolicy(new HpaOptions(), 2, 100);
        var first = new FakeGroup(300, 2, 2, 1.0);
        hpa.Tick(first); // ⌈2 × 1.667⌉ = 4
        Assert.Equal([4], first.Resizes);

        // 10 s later, within the same 15 s period: ⌈4 × 1.667⌉ = 7, but from the period's start (2) at most max(4, 6) = 6.
        var second = new FakeGroup(310, 4, 4, 1.0);
        hpa.Tick(second);
        Assert.Equal([6], second.Resizes);
    }

    [Fact]
    public void Hpa_scales_down_only_to_the_highest_recommendation_of_the_last_300_s()
    {
        var hpa = new HpaPolicy(new HpaOptions(), 10, 100);
        hpa.Tick(new FakeGroup(200, 10, 10, 0.6)); // recommends 10

        var held = new FakeGroup(215, 10, 10, 0.3); // recommends ⌈10 × 0.5⌉ = 5, but 10 was recommended within 300 s
        hpa.Tick(held);
        Assert.Empty(held.Resizes);

        var after = new FakeGroup(500, 10, 10, 0.3); // the 10 at 200 s left the window (500 − 300); the 5 at 215 s is the peak
        hpa.Tick(after);
        Assert.Equal([5], after.Resizes);
    }

    [Fact]
    public void Gce_scales_out_at_once_to_the_utilization_recommendation()
    {
        var gce = new GcePolicy(new GceOptions(), 5, 100);
        var g = new FakeGroup(300, 5, 5, 0.9);
        gce.Tick(g);

        // ⌈0.9 × 5 / 0.6⌉ = ⌈7.5⌉ = 8
        Assert.Equal([8], g.Resizes);
        Assert.Equal(8, gce.LastRecommendation);
    }

    [Fact]
    public void Gce_scales_in_only_to_the_peak_recommendation_of_the_600_s_stabilization_period()
    {
        var gce = new GcePolicy(new GceOptions(), 5, 100);
        gce.Tick(new FakeGroup(300, 5, 5, 0.9)); // recommends 8

        var held = new FakeGroup(360, 8, 8, 0.3); // recommends ⌈0.3 × 8 / 0.6⌉ = 4; the peak of the window is 8
        gce.Tick(held);
        Assert.Empty(held.Resizes);

        var released = new FakeGroup(901, 8, 8, 0.3); // the 8 at 300 s is older than 600 s; peak is now 4
        gce.Tick(released);
        Assert.Equal([4], released.Resizes);
    }

    [Fact]
    public void Gce_and_hpa_hold_without_visible_metrics()
    {
        var gce = new GcePolicy(new GceOptions(), 5, 100);
        var hpa = new HpaPolicy(new HpaOptions(), 5, 100);
        var early = new FakeGroup(100, 5, 5, 0.95, visible: false);
        var empty = new FakeGroup(100, 5, 5, 0.95, visible: false);
        gce.Tick(early);
        hpa.Tick(empty);
        Assert.Empty(early.Resizes);
        Assert.Empty(empty.Resizes);
    }

    [Fact]
    public void Oracle_holds_the_largest_need_within_one_boot_time_ahead()
    {
        int[] need = [1, 1, 1, 1, 5, 5, 2, 2, 2, 2, 2];
        var oracle = new OraclePolicy(m => m < need.Length ? need[m] : 0, bootSeconds: 180);

        // Lookahead ⌈180 / 60⌉ = 3 minutes: at minute 1 it must already create the instances minute 4 needs.
        Assert.Equal(1, oracle.SizeAt(0));
        Assert.Equal(5, oracle.SizeAt(1));
        Assert.Equal(5, oracle.SizeAt(5));
        Assert.Equal(2, oracle.SizeAt(6));
        Assert.Equal(1, oracle.InitialSize);

        var g = new FakeGroup(60, 1, 1, 0.5);
        oracle.Tick(g);
        Assert.Equal([5], g.Resizes);
    }

    [Fact]
    public void Reactive_oracle_knows_a_minutes_need_only_once_the_fastest_signal_shows_it()
    {
        int[] need = [2, 2, 8, 8, 8];
        var bound = new ReactiveOraclePolicy(new ReactiveOracleOptions(), m => m < need.Length ? need[m] : 0, fastestVisibilitySeconds: 25, initialSize: 2, maxSize: 100);

        // Nothing is known before minute 0's 25 s have passed: no resize.
        var early = new FakeGroup(20, 2, 2, 0.5);
        bound.Tick(early);
        Assert.Empty(early.Resizes);
        Assert.Null(bound.KnownMinute(20));

        // Minute 2 starts at 120 s: at 144 s only minute 1 (need 2) is known; at 145 s minute 2's 8 is.
        Assert.Equal(1, bound.KnownMinute(144));
        Assert.Equal(2, bound.Ask(144));
        var known = new FakeGroup(145, 2, 2, 0.5);
        bound.Tick(known);
        Assert.Equal([8], known.Resizes);
        Assert.True(bound.ExactBoot);
    }

    [Fact]
    public void Reactive_oracle_adds_headroom_caps_at_max_size_and_scales_in_only_after_the_stabilization_window()
    {
        int[] need = [8, 8, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3];
        var options = new ReactiveOracleOptions { Headroom = 1.25, VisibilitySeconds = 0 };
        var bound = new ReactiveOraclePolicy(options, m => m < need.Length ? need[m] : 0, fastestVisibilitySeconds: 25, initialSize: 8, maxSize: 9);

        // ⌈1.25 × 8⌉ = 10, capped at MaxSize 9; VisibilitySeconds 0 overrides the fastest signal's 25 s.
        var first = new FakeGroup(0, 8, 8, 0.5);
        bound.Tick(first);
        Assert.Equal([9], first.Resizes);

        bound.Tick(new FakeGroup(60, 9, 9, 0.5)); // minute 1: 9 again

        // Minute 2 needs 3 → asks ⌈3.75⌉ = 4, held at 9 while the 9s asked at 0 s and 60 s are within 600 s.
        var held = new FakeGroup(120, 9, 9, 0.5);
        bound.Tick(held);
        Assert.Empty(held.Resizes);

        var released = new FakeGroup(660, 9, 9, 0.5); // the asks at 0 s and 60 s have left the window; 4 is the peak
        bound.Tick(released);
        Assert.Equal([4], released.Resizes);
    }

    [Fact]
    public void Reactive_oracle_with_a_resize_delay_counts_the_size_on_its_way_and_applies_it_later()
    {
        int[] need = [2, 8, 8, 8];
        var bound = new ReactiveOraclePolicy(new ReactiveOracleOptions { ResizeDelaySeconds = 60 }, m => m < need.Length ? need[m] : 0, 25, 2, 100);

        var g = new FakeGroup(85, 2, 2, 0.5) { Scheduled = [] };
        bound.Tick(g);
        Assert.Empty(g.Resizes); // ordered, not applied
        var (at, apply) = Assert.Single(g.Scheduled);
        Assert.Equal(145, at);
        Assert.Equal(8, bound.Desired);

        // A tick before it lands asks the same 8 and orders nothing more: the 8 on its way is the target it sees.
        bound.Tick(g);
        Assert.Single(g.Scheduled);

        apply();
        Assert.Equal([8], g.Resizes);
        Assert.Null(bound.Desired);
    }

    [Theory]
    [InlineData(0, 600, 15, null, "Headroom must be a finite number above 0")]
    [InlineData(double.NaN, 600, 15, null, "Headroom must be a finite number above 0")]
    [InlineData(double.PositiveInfinity, 600, 15, null, "Headroom must be a finite number above 0")]
    [InlineData(1, -1, 15, null, "StabilizationSeconds must be ≥ 0 and TickSeconds ≥ 1")]
    [InlineData(1, 600, 0.5, null, "StabilizationSeconds must be ≥ 0 and TickSeconds ≥ 1")]
    [InlineData(1, 600, 15, -5.0, "VisibilitySeconds must be 0 or more")]
    [InlineData(1, 600, 15, null, "ResizeDelaySeconds must be a finite number of seconds, 0 or more", -1.0)]
    public void Reactive_oracle_options_name_the_bad_key(double headroom, double stabilization, double tick, double? visibility, string message, double resizeDelay = 0)
    {
        var errors = new ReactiveOracleOptions
        {
            Headroom = headroom, StabilizationSeconds = stabilization, TickSeconds = tick, VisibilitySeconds = visibility, ResizeDelaySeconds = resizeDelay,
        }.Validate().ToList();
        var error = Assert.Single(errors);
        Assert.StartsWith("ReactiveOracle: ", error);
        Assert.Contains(message, error);
        Assert.Empty(new ReactiveOracleOptions().Validate());
    }

    [Fact]
    public void Static_keeps_its_size()
    {
        var s = new StaticPolicy(7);
        var g = new FakeGroup(300, 7, 7, 1.0);
        s.Tick(g);
        Assert.Empty(g.Resizes);
        Assert.Equal(7, s.InitialSize);
    }
}
