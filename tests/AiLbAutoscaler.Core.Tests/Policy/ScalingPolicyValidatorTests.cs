using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Signals;

namespace AiLbAutoscaler.Core.Tests.Policy;

/// <summary>Each bad setting gives one message that names its configuration path; a good policy gives none.</summary>
[Trait("Area", "Policy")]
public sealed class ScalingPolicyValidatorTests
{
    private const string Path = "Autoscaler:Stacks:inference:Policy";

    [Fact]
    public void Defaults_are_valid()
    {
        Assert.Empty(ScalingPolicyValidator.Validate(ScalingPolicy.CreateDefault(), Path));
        Assert.Empty(ScalingPolicyValidator.Validate(new ScalingPolicy(), Path));
    }

    public static TheoryData<string, Action<ScalingPolicy>, string> BadSettings => new()
    {
        { "negative min", p => p.MinSize = -1, $"{Path}:MinSize must be 0 or more (was -1)." },
        { "zero max", p => { p.MinSize = 0; p.MaxSize = 0; }, $"{Path}:MaxSize must be 1 or more (was 0)." },
        { "min over max", p => { p.MinSize = 5; p.MaxSize = 3; }, $"{Path}:MinSize (5) must not exceed MaxSize (3)." },
        { "unknown mode", p => p.Mode = (ScalingMode)7, $"{Path}:Mode must be On, ScaleOutOnly or Off." },
        { "tolerance 1", p => p.Tolerance = 1, $"{Path}:Tolerance must be in [0, 1) (was 1)." },
        { "tolerance NaN", p => p.Tolerance = double.NaN, $"{Path}:Tolerance must be in [0, 1) (was NaN)." },
        { "negative window", p => p.ScaleDownStabilizationSeconds = -1, $"{Path}:ScaleDownStabilizationSeconds must be 0 or more (was -1)." },
        { "infinite init", p => p.InitializationPeriodSeconds = double.PositiveInfinity, $"{Path}:InitializationPeriodSeconds must be 0 or more (was Infinity)." },
        { "zero age", p => p.MaxSignalAgeSeconds = 0, $"{Path}:MaxSignalAgeSeconds must be more than 0 (was 0)." },
        { "no up limit", p => p.ScaleUpLimit = null!, $"{Path}:ScaleUpLimit is required." },
        { "negative up percent", p => p.ScaleUpLimit.Percent = -5, $"{Path}:ScaleUpLimit:Percent must be 0 or more (was -5)." },
        { "negative down instances", p => p.ScaleDownLimit.Instances = -1, $"{Path}:ScaleDownLimit:Instances must be 0 or more (was -1)." },
        { "frozen down", p => { p.ScaleDownLimit.Percent = 0; p.ScaleDownLimit.Instances = 0; }, $"{Path}:ScaleDownLimit allows no change at all: set Percent or Instances above 0." },
        { "zero period", p => p.ScaleUpLimit.PeriodSeconds = 0, $"{Path}:ScaleUpLimit:PeriodSeconds must be more than 0 (was 0)." },
        { "panic 1", p => p.PanicThreshold = 1, $"{Path}:PanicThreshold must be 0 (off) or more than 1 (was 1)." },
        { "zero missing ticks", p => p.MissingTicksBeforeFallback = 0, $"{Path}:MissingTicksBeforeFallback must be 1 or more (was 0)." },
        { "fixed without size", p => p.Fallback = FallbackMode.FixedSize, $"{Path}:FallbackSize is required when Fallback is FixedSize." },
        { "fixed out of bounds", p => { p.Fallback = FallbackMode.FixedSize; p.FallbackSize = 11; }, $"{Path}:FallbackSize (11) must lie within [MinSize 1, MaxSize 10]." },
        { "unknown fallback", p => p.Fallback = (FallbackMode)9, $"{Path}:Fallback must be Hold or FixedSize." },
        { "blank signal", p => p.Signals[1].Signal = " ", $"{Path}:Signals:1:Signal is required." },
        { "twice", p => p.Signals[1].Signal = SignalNames.GpuUtilization.ToUpperInvariant(), $"{Path}:Signals:1:Signal names 'GPU_UTILIZATION' twice; each signal may have one target." },
        { "zero target", p => p.Signals[0].Target = 0, $"{Path}:Signals:0:Target must be a finite number more than 0 (was 0)." },
        { "infinite target", p => p.Signals[0].Target = double.PositiveInfinity, $"{Path}:Signals:0:Target must be a finite number more than 0 (was Infinity)." },
        { "unknown kind", p => p.Signals[1].Kind = (TargetKind)5, $"{Path}:Signals:1:Kind must be Utilization, PerInstance or LatencySlo." },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Each_bad_setting_is_named_by_its_path(string _, Action<ScalingPolicy> spoil, string expected)
    {
        var policy = ScalingPolicy.CreateDefault();
        spoil(policy);

        var errors = ScalingPolicyValidator.Validate(policy, Path);

        Assert.Equal(expected, Assert.Single(errors));
    }

    [Fact]
    public void Every_problem_is_reported_not_only_the_first()
    {
        var policy = ScalingPolicy.CreateDefault();
        policy.MinSize = -1;
        policy.Tolerance = 2;
        policy.Signals[0].Target = -1;

        var errors = ScalingPolicyValidator.Validate(policy, Path);

        Assert.Equal([$"{Path}:MinSize", $"{Path}:Tolerance", $"{Path}:Signals:0:Target"], errors.Select(e => e[..e.IndexOf(' ')]));
    }

    [Fact]
    public void Options_validation_names_the_stack_path_and_the_controller_settings()
    {
        var options = new AutoscalerOptions
        {
            Stacks = { ["inference"] = new StackOptions { Policy = new ScalingPolicy { MinSize = 4, MaxSize = 2 } }, ["bad name!"] = new StackOptions() },
            AuditRetentionDays = 0,
            StatusDecisionCount = 0,
            MaxHoldMinutes = 0,
        };
        var validator = new AutoscalerOptionsValidator();
        validator.PostConfigure(null, options);

        var result = validator.Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains("Autoscaler:Stacks:inference:Policy:MinSize (4) must not exceed MaxSize (2).", failures);
        Assert.Contains(failures, f => f.StartsWith("Autoscaler:Stacks:bad name! is not a valid stack name", StringComparison.Ordinal));
        Assert.Contains("Autoscaler:AuditRetentionDays must be 1 or more (was 0).", failures);
        Assert.Contains("Autoscaler:StatusDecisionCount must be in [1, 1000] (was 0).", failures);
        Assert.Contains("Autoscaler:MaxHoldMinutes must be 1 or more (was 0).", failures);
    }

    [Fact]
    public void Options_without_stacks_fail_and_say_how_to_add_one()
    {
        var result = new AutoscalerOptionsValidator().Validate(null, new AutoscalerOptions());

        Assert.Contains("Autoscaler:Stacks must name at least one stack", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Post_configure_fills_in_the_default_signals_only_when_none_are_configured()
    {
        var custom = new ScalingPolicy { Signals = [new SignalTarget { Signal = SignalNames.RequestRate, Kind = TargetKind.PerInstance, Target = 5 }] };
        var options = new AutoscalerOptions { Stacks = { ["a"] = new StackOptions(), ["b"] = new StackOptions { Policy = custom } } };

        new AutoscalerOptionsValidator().PostConfigure(null, options);

        Assert.Equal(ScalingPolicy.CreateDefault().Signals.Select(s => s.Signal), options.Stacks["a"].Policy.Signals.Select(s => s.Signal));
        Assert.Equal([SignalNames.RequestRate], options.Stacks["b"].Policy.Signals.Select(s => s.Signal));
        Assert.True(new AutoscalerOptionsValidator().Validate(null, options).Succeeded);
    }
}
