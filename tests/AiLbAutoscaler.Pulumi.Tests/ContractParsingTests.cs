using AiLbAutoscaler.Adapters.Pulumi.Cli;

namespace AiLbAutoscaler.Pulumi.Tests;

/// <summary>Event-log parsing, error classification and argument post-processing, per the documented contract.</summary>
[Trait("Area", "Pulumi")]
public sealed class ContractParsingTests
{
    [Fact]
    public void The_verbatim_summary_line_from_the_cli_test_data_parses()
    {
        var report = EngineEventLog.Parse(
        [
            """{"sequence":198,"timestamp":1648797534,"summaryEvent":{"maybeCorrupt":false,"durationSeconds":609,"resourceChanges":{"create":1,"same":5},"PolicyPacks":{}}}""",
            """{"sequence":200,"timestamp":1648797534,"cancelEvent":{}}""",
        ]);

        Assert.NotNull(report.Summary);
        Assert.Equal(609, report.Summary.DurationSeconds);
        Assert.Equal(new Dictionary<string, int> { ["create"] = 1, ["same"] = 5 }, report.Summary.ResourceChanges);
        Assert.Null(report.Summary.IsPreview);
        Assert.True(report.Ended);
    }

    [Fact]
    public void Current_summary_fields_pascal_case_policy_packs_and_skipped_lines_are_read()
    {
        var report = EngineEventLog.Parse(Contract.SuccessfulUpEvents);

        Assert.False(report.Summary!.IsPreview);
        Assert.Equal("1.2.0", report.Summary.PolicyPacks["gcp-baseline"]);
        Assert.Equal(1, report.SkippedLines);
        Assert.Equal(5, report.EventCount);
        Assert.Empty(report.Failures);
        Assert.Null(report.DescribeFailure());
    }

    [Fact]
    public void Failures_and_error_diagnostics_are_collected()
    {
        var report = EngineEventLog.Parse(Contract.FailedUpEvents);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(Contract.FleetUrn, failure.Urn);
        Assert.Equal("update", failure.Op);
        Assert.Equal(2, failure.Status);
        Assert.Equal(1, failure.Steps);
        Assert.Equal("error", Assert.Single(report.Diagnostics).Severity);
        Assert.StartsWith("fleet: updating", report.DescribeFailure());
    }

    [Fact]
    public void A_log_without_a_cancel_event_did_not_end()
    {
        var report = EngineEventLog.Parse([Contract.SuccessfulUpEvents[0]]);

        Assert.False(report.Ended);
        Assert.Null(report.Summary);
    }

    [Theory]
    [InlineData("error: no stack named 'dev' found\n", PulumiErrorKind.StackNotFound)]
    [InlineData("error: stack 'dev' already exists\n", PulumiErrorKind.StackAlreadyExists)]
    [InlineData("error: a stack named org/dev already exists\n", PulumiErrorKind.StackAlreadyExists)]
    [InlineData(Contract.ConflictStderr, PulumiErrorKind.ConcurrentUpdate)]
    [InlineData(Contract.LockedStderr, PulumiErrorKind.ConcurrentUpdate)]
    [InlineData("error: stack not found\n", PulumiErrorKind.Failed)]
    [InlineData("error: [409] over stack limit: Another update is currently in progress.\n", PulumiErrorKind.Failed)]
    [InlineData("error: no stack named\n'dev' found\n", PulumiErrorKind.Failed)]
    public void Stderr_is_classified_like_the_automation_api(string stderr, PulumiErrorKind expected) =>
        Assert.Equal(expected, PulumiErrorClassifier.Classify(stderr));

    [Fact]
    public void Flags_go_before_the_first_double_dash_and_non_interactive_is_not_doubled()
    {
        Assert.Equal(
            ["config", "set", "k", "--stack", "dev", "--non-interactive", "--event-log", "/l", "--", "--v"],
            PulumiCli.PostProcess(["config", "set", "k", "--stack", "dev", "--", "--v"], "/l"));
        Assert.Equal(
            ["config", "set", "k", "--non-interactive", "--", "v"],
            PulumiCli.PostProcess(["config", "set", "k", "--non-interactive", "--", "v"], null));
        Assert.Equal(["cancel", "--yes", "--non-interactive"], PulumiCli.PostProcess(["cancel", "--yes"], null));
    }
}
