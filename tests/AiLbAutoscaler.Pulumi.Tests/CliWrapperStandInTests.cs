using AiLbAutoscaler.Adapters.Pulumi.Cli;

namespace AiLbAutoscaler.Pulumi.Tests;

/// <summary>The CLI wrapper's other operations against the stand-in pulumi.</summary>
[Trait("Area", "Pulumi")]
public sealed class CliWrapperStandInTests : IDisposable
{
    private readonly StandInPulumi _pulumi = new();

    public void Dispose() => _pulumi.Dispose();

    [Fact]
    public async Task Select_or_create_creates_when_select_reports_stack_not_found()
    {
        _pulumi.On("stack-select", exit: 255, stderr: Contract.NotFoundStderr);

        await _pulumi.Cli().SelectOrCreateStackAsync(CancellationToken.None);

        var calls = _pulumi.Calls();
        Assert.Equal(["stack", "select", "--stack", "dev", "--non-interactive"], calls[0].Args);
        Assert.Equal(["stack", "init", "dev", "--non-interactive"], calls[1].Args);
    }

    [Fact]
    public async Task Select_or_create_does_not_create_on_another_error()
    {
        _pulumi.On("stack-select", exit: 255, stderr: Contract.ConflictStderr);

        var ex = await Assert.ThrowsAsync<PulumiCommandException>(() => _pulumi.Cli().SelectOrCreateStackAsync(CancellationToken.None));

        Assert.Equal(PulumiErrorKind.ConcurrentUpdate, ex.Kind);
        Assert.Single(_pulumi.Calls());
    }

    [Fact]
    public async Task Creating_an_existing_stack_is_classified()
    {
        _pulumi.On("stack-init", exit: 255, stderr: Contract.AlreadyExistsStderr);

        var ex = await Assert.ThrowsAsync<PulumiCommandException>(() => _pulumi.Cli().CreateStackAsync(CancellationToken.None));

        Assert.Equal(PulumiErrorKind.StackAlreadyExists, ex.Kind);
        Assert.Equal(255, ex.ExitCode);
    }

    [Fact]
    public async Task Stack_history_parses_the_documented_shape()
    {
        _pulumi.On("stack-history", stdout: Contract.HistoryJson);

        var history = await _pulumi.Cli().GetHistoryAsync(10, CancellationToken.None);

        var update = Assert.Single(history);
        Assert.Equal(3, update.Version);
        Assert.Equal("update", update.Kind);
        Assert.Equal("succeeded", update.Result);
        Assert.Equal(new DateTimeOffset(2021, 1, 7, 17, 2, 40, TimeSpan.Zero), update.EndTime);
        Assert.Equal(3, update.ResourceChanges["create"]);
    }

    [Fact]
    public async Task Empty_history_output_is_an_empty_list()
    {
        _pulumi.On("stack-history", stdout: "");

        Assert.Empty(await _pulumi.Cli().GetHistoryAsync(5, CancellationToken.None));
    }

    [Fact]
    public async Task Outputs_keep_their_json_types()
    {
        _pulumi.OutputsTargetSize(6);

        var outputs = await _pulumi.Cli().GetOutputsAsync(CancellationToken.None);

        Assert.Equal(6, outputs["targetSize"].GetInt32());
        Assert.Equal("34.117.10.20", outputs["lbIpAddress"].GetString());
    }

    [Fact]
    public async Task A_value_that_starts_with_a_dash_is_safe_after_double_dash()
    {
        await _pulumi.Cli().SetConfigAsync("note", "-1 is not a flag", CancellationToken.None);

        Assert.Equal(["config", "set", "note", "--plaintext", "--stack", "dev", "--non-interactive", "--", "-1 is not a flag"], Assert.Single(_pulumi.Calls()).Args);
    }

    [Fact]
    public async Task A_key_neither_the_stack_nor_the_program_declares_reads_as_null()
    {
        _pulumi.On("config-get", exit: 255, stderr: "error: configuration key 'targetSize' not found for stack 'dev'\n");

        Assert.Null(await _pulumi.Cli().GetConfigAsync("targetSize", CancellationToken.None));
    }

    [Fact]
    public async Task Secrets_passed_by_the_caller_are_redacted_too()
    {
        var env = new Dictionary<string, string?> { ["PULUMI_CONFIG_PASSPHRASE"] = "caller-secret-1234" };
        _pulumi.On("cancel", exit: 1, stderr: "error: caller-secret-1234 rejected\n");

        var ex = await Assert.ThrowsAsync<PulumiCommandException>(() => _pulumi.Cli(env).CancelAsync(CancellationToken.None));

        Assert.Equal("caller-secret-1234", Assert.Single(_pulumi.Calls()).Environment["PULUMI_CONFIG_PASSPHRASE"]);
        Assert.DoesNotContain("caller-secret-1234", ex.Message + ex.StandardError);
    }

    [Fact]
    public async Task A_timed_out_up_still_reports_the_events_written_so_far()
    {
        _pulumi.On("up", events: Contract.FailedUpEvents[..3], action: "hang");

        var ex = await Assert.ThrowsAsync<PulumiCommandException>(() => _pulumi.Cli(upTimeoutSeconds: 0.5).UpAsync("m", [Contract.FleetUrn], CancellationToken.None));

        Assert.Equal(PulumiErrorKind.Timeout, ex.Kind);
        Assert.NotNull(ex.Events);
        Assert.Single(ex.Events.Failures);
        Assert.Contains("Quota", ex.Message);
    }

    [Fact]
    public async Task Preview_has_no_yes_or_skip_preview_and_needs_a_summary_event()
    {
        _pulumi.On("preview", events: Contract.SuccessfulUpEvents, occurrence: 1).On("preview", events: [Contract.SuccessfulUpEvents[0]], occurrence: 2);
        var cli = _pulumi.Cli();

        var first = await cli.PreviewAsync("check", [], CancellationToken.None);
        var second = await Assert.ThrowsAsync<PulumiCommandException>(() => cli.PreviewAsync("check", [], CancellationToken.None));

        Assert.Equal(42, first.Events.Summary!.DurationSeconds);
        Assert.Equal(
            ["preview", "--message", "check", "--color", "never", "--exec-kind", "auto.local", "--stack", "dev", "--non-interactive", "--event-log", "<log>"],
            _pulumi.Calls()[0].ArgsWithoutLogPath);
        Assert.Equal("No summary of changes for 'preview'", second.Message);
    }
}
