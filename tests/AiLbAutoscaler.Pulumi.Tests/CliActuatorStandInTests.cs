using System.Diagnostics;
using AiLbAutoscaler.Adapters.Pulumi.Cli;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Core.Security;

namespace AiLbAutoscaler.Pulumi.Tests;

/// <summary>The CLI actuator against the stand-in pulumi: argv, environment, outcomes per documented scenario.</summary>
[Trait("Area", "Pulumi")]
public sealed class CliActuatorStandInTests : IDisposable
{
    private readonly StandInPulumi _pulumi = new();

    public void Dispose() => _pulumi.Dispose();

    [Fact]
    public async Task Apply_sets_config_after_double_dash_then_runs_a_targeted_up_with_an_event_log()
    {
        _pulumi.OutputsTargetSize(2).On("up", stdout: "Updating (dev)\n", events: Contract.SuccessfulUpEvents);

        var result = await _pulumi.Actuator().ApplyAsync("inference", 5, "p95 latency 2.4 s > 1.5 s", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Applied, result.Outcome);
        Assert.Equal("2 → 5", result.Message);
        Assert.Equal(new Dictionary<string, int> { ["update"] = 1, ["same"] = 9 }, result.ResourceChanges);
        Assert.True(result.Duration > TimeSpan.Zero);

        var calls = _pulumi.Calls();
        Assert.Equal(3, calls.Count);
        Assert.Equal(["stack", "output", "--json", "--stack", "dev", "--non-interactive"], calls[0].Args);
        Assert.Equal(["config", "set", "targetSize", "--plaintext", "--stack", "dev", "--non-interactive", "--", "5"], calls[1].Args);
        Assert.Equal(
            ["up", "--yes", "--skip-preview", "--message", "AiLbAutoscaler: targetSize 2 -> 5 (p95 latency 2.4 s > 1.5 s)",
             "--target", Contract.FleetUrn, "--target", "urn:pulumi:dev::ailb-inference::pulumi:pulumi:Stack::ailb-inference-dev", "--color", "never", "--exec-kind", "auto.local", "--stack", "dev",
             "--non-interactive", "--event-log", "<log>"],
            calls[2].ArgsWithoutLogPath);

        // The event log lives in a fresh temp folder, like the Automation API's, and is removed afterwards.
        var log = calls[2].EventLogPath!;
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "automation-logs-up-"), log, StringComparison.Ordinal);
        Assert.EndsWith("eventlog.txt", log, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(log)));

        // PULUMI_DEBUG_COMMANDS only where --event-log is passed; every call runs in the program folder.
        Assert.Equal("true", calls[2].Environment["PULUMI_DEBUG_COMMANDS"]);
        Assert.False(calls[1].Environment.ContainsKey("PULUMI_DEBUG_COMMANDS"));
        Assert.All(calls, c => Assert.Equal(StandInPulumi.InfraDir, c.WorkDir));
    }

    [Fact]
    public async Task The_users_environment_reaches_every_call()
    {
        _pulumi.OutputsTargetSize(3);

        Assert.Equal(3, await _pulumi.Actuator().GetCurrentSizeAsync("inference", CancellationToken.None));

        var env = Assert.Single(_pulumi.Calls()).Environment;
        Assert.Equal(StandInEnvironment.Passphrase, env["PULUMI_CONFIG_PASSPHRASE"]);
        Assert.Equal(StandInEnvironment.AccessToken, env["PULUMI_ACCESS_TOKEN"]);
        Assert.Equal(StandInEnvironment.GoogleCredentials, env["GOOGLE_CREDENTIALS"]);
        Assert.Equal(StandInEnvironment.BackendUrl, env["PULUMI_BACKEND_URL"]);
    }

    [Fact]
    public async Task Extra_environment_from_settings_overlays_the_inherited_one()
    {
        _pulumi.OutputsTargetSize(3);
        var options = _pulumi.StackOptions();
        options.Environment["PULUMI_BACKEND_URL"] = "gs://ailb-state";
        options.Environment["PULUMI_HOME"] = "/tmp/pulumi-home";

        await _pulumi.Actuator(options).GetCurrentSizeAsync("inference", CancellationToken.None);

        var env = Assert.Single(_pulumi.Calls()).Environment;
        Assert.Equal("gs://ailb-state", env["PULUMI_BACKEND_URL"]);
        Assert.Equal("/tmp/pulumi-home", env["PULUMI_HOME"]);
    }

    [Fact]
    public async Task Asking_for_the_deployed_size_changes_nothing()
    {
        _pulumi.OutputsTargetSize(4).On("config-get", stdout: "{\n  \"value\": \"4\",\n  \"secret\": false\n}\n");

        var result = await _pulumi.Actuator().ApplyAsync("inference", 4, "steady", CancellationToken.None);

        Assert.Equal(ActuationOutcome.NoChange, result.Outcome);
        Assert.DoesNotContain(_pulumi.Calls(), c => c.Args[0] == "up" || c.Args.Take(2).SequenceEqual(["config", "set"]));
        Assert.Equal(["config", "get", "targetSize", "--json", "--stack", "dev", "--non-interactive"], _pulumi.Calls()[1].Args);
    }

    [Fact]
    public async Task A_config_key_the_program_does_not_declare_fails_naming_the_setting()
    {
        // config get merges Pulumi.yaml defaults, so only a key the program lacks is "not found".
        _pulumi.OutputsTargetSize(4).On("config-get", exit: 255, stderr: "error: configuration key 'replicas' not found for stack 'dev'\n");
        var options = _pulumi.StackOptions();
        options.ConfigKey = "replicas";

        var result = await _pulumi.Actuator(options).ApplyAsync("inference", 4, "steady", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Failed, result.Outcome);
        Assert.Contains("Autoscaler:Stacks:inference:Pulumi:ConfigKey", result.Message);
        Assert.DoesNotContain(_pulumi.Calls(), c => c.Args[0] == "up" || c.Args.Take(2).SequenceEqual(["config", "set"]));
    }

    [Fact]
    public async Task NoChange_realigns_a_config_value_left_by_a_failed_apply_without_an_update()
    {
        _pulumi.OutputsTargetSize(4).On("config-get", stdout: "{\n  \"value\": \"7\",\n  \"secret\": false\n}\n");

        var result = await _pulumi.Actuator().ApplyAsync("inference", 4, "steady", CancellationToken.None);

        Assert.Equal(ActuationOutcome.NoChange, result.Outcome);
        Assert.Contains("realigned from 7", result.Message);
        var calls = _pulumi.Calls();
        Assert.Equal(["config", "set", "targetSize", "--plaintext", "--stack", "dev", "--non-interactive", "--", "4"], calls[^1].Args);
        Assert.DoesNotContain(calls, c => c.Args[0] == "up");
    }

    [Theory]
    [InlineData(Contract.ConflictStderr, "[409] Conflict")]
    [InlineData(Contract.LockedStderr, "currently locked")]
    public async Task A_concurrent_update_409_or_a_locked_local_backend_is_busy(string stderr, string quoted)
    {
        _pulumi.OutputsTargetSize(2).On("up", exit: 255, stderr: stderr);

        var result = await _pulumi.Actuator().ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Busy, result.Outcome);
        Assert.Contains(quoted, result.Message);
    }

    [Fact]
    public async Task A_missing_stack_is_reported_as_stack_not_found()
    {
        _pulumi.On("stack-output", exit: 255, stderr: Contract.NotFoundStderr);

        var ex = await Assert.ThrowsAsync<PulumiCommandException>(() => _pulumi.Actuator().GetCurrentSizeAsync("inference", CancellationToken.None));

        Assert.Equal(PulumiErrorKind.StackNotFound, ex.Kind);
        Assert.Contains("no stack named 'dev' found", ex.Message);
    }

    [Fact]
    public async Task A_failed_resource_is_failed_with_the_resource_and_diagnostic_and_no_secret()
    {
        _pulumi.OutputsTargetSize(2).On(
            "up",
            exit: 255,
            stderr: $"error: update failed\nerror: decrypting with passphrase {StandInEnvironment.Passphrase} and token {StandInEnvironment.AccessToken}\n",
            events: Contract.FailedUpEvents);

        var result = await _pulumi.Actuator().ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Failed, result.Outcome);
        Assert.Contains("fleet failed to update", result.Message);
        Assert.Contains("Quota 'NVIDIA_L4_GPUS' exceeded", result.Message);
        Assert.Contains("desired size 5 stays in the stack config", result.Message);
        Assert.Equal(new Dictionary<string, int> { ["same"] = 9 }, result.ResourceChanges);
        Assert.DoesNotContain(StandInEnvironment.Passphrase, result.Message);
        Assert.DoesNotContain(StandInEnvironment.AccessToken, result.Message);
    }

    [Fact]
    public async Task Secrets_in_stderr_are_redacted_from_the_exception()
    {
        _pulumi.On("stack-output", exit: 1, stderr: $"error: bad credentials {StandInEnvironment.GoogleCredentials}\n");

        var ex = await Assert.ThrowsAsync<PulumiCommandException>(() => _pulumi.Actuator().GetCurrentSizeAsync("inference", CancellationToken.None));

        Assert.DoesNotContain("standin-key-77", ex.Message + ex.StandardError);
        Assert.Contains(SecretRedactor.Mask, ex.Message);
    }

    [Fact]
    public async Task A_hang_times_out_interrupts_the_cli_and_runs_cancel()
    {
        _pulumi.OutputsTargetSize(2).On("up", events: [Contract.SuccessfulUpEvents[0]], action: "hang");
        var watch = Stopwatch.StartNew();

        var result = await _pulumi.Actuator(_pulumi.StackOptions(updateTimeoutSeconds: 1)).ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.Equal(ActuationOutcome.Failed, result.Outcome);
        Assert.Contains("did not finish within 1 s", result.Message);
        Assert.Contains("pulumi cancel released the stack", result.Message);
        Assert.Equal(1, _pulumi.SigIntCount);
        await AssertGoneAsync(_pulumi.GrandchildPid);
        Assert.Equal(["cancel", "--yes", "--stack", "dev", "--non-interactive"], _pulumi.Calls()[^1].Args);
    }

    [Fact]
    public async Task A_cli_stuck_past_sigint_is_killed_with_its_tree_after_the_grace_period_then_cancel_runs()
    {
        _pulumi.OutputsTargetSize(2).On("up", action: "hang-past-sigint");
        var watch = Stopwatch.StartNew();

        var result = await _pulumi.Actuator(_pulumi.StackOptions(updateTimeoutSeconds: 1), interruptGraceSeconds: 2).ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(3), $"the kill came before the grace period ended ({watch.Elapsed})");
        Assert.Equal(ActuationOutcome.Failed, result.Outcome);
        Assert.Contains("did not finish within 1 s", result.Message);
        Assert.Equal(1, _pulumi.SigIntCount);
        await AssertGoneAsync(_pulumi.GrandchildPid);
        Assert.Equal(["cancel", "--yes", "--stack", "dev", "--non-interactive"], _pulumi.Calls()[^1].Args);
    }

    [Fact]
    public async Task Cancellation_kills_the_process_tree()
    {
        _pulumi.OutputsTargetSize(2).On("up", action: "hang");
        using var cts = new CancellationTokenSource();
        var apply = _pulumi.Actuator().ApplyAsync("inference", 5, "load", cts.Token);
        await WaitForAsync(() => _pulumi.GrandchildPid is not null);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => apply);
        Assert.Equal(1, _pulumi.SigIntCount);
        await AssertGoneAsync(_pulumi.GrandchildPid);
        Assert.Equal(["cancel", "--yes", "--stack", "dev", "--non-interactive"], _pulumi.Calls()[^1].Args);
    }

    [Fact]
    public async Task A_timeout_before_the_up_does_not_cancel_someone_elses_update()
    {
        _pulumi.On("stack-output", action: "hang");
        var options = _pulumi.StackOptions();
        options.CommandTimeoutSeconds = 1;

        var result = await _pulumi.Actuator(options).ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Failed, result.Outcome);
        Assert.Contains("pulumi stack output did not finish within 1 s", result.Message);
        Assert.DoesNotContain(_pulumi.Calls(), c => c.Args[0] == "cancel");
        await AssertGoneAsync(_pulumi.GrandchildPid);
    }

    [Fact]
    public async Task A_killed_cli_is_failed_and_names_the_signal()
    {
        _pulumi.OutputsTargetSize(2).On("up", events: [Contract.SuccessfulUpEvents[0]], action: "kill");

        var result = await _pulumi.Actuator().ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Failed, result.Outcome);
        Assert.Contains("killed by signal 9", result.Message);
        Assert.Null(result.ResourceChanges);
    }

    [Fact]
    public async Task A_missing_binary_is_failed_with_its_path()
    {
        var options = _pulumi.StackOptions();
        options.Binary = Path.Combine(_pulumi.Dir, "no-such-pulumi");

        var result = await _pulumi.Actuator(options).ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Failed, result.Outcome);
        Assert.Contains("no-such-pulumi", result.Message);
    }

    [Fact]
    public async Task A_size_output_that_is_missing_or_not_a_number_is_a_clear_error()
    {
        _pulumi.On("stack-output", stdout: "{\n  \"lbIpAddress\": \"34.117.10.20\"\n}\n", occurrence: 1)
            .On("stack-output", stdout: "{\n  \"targetSize\": \"[secret]\"\n}\n", occurrence: 2);
        var actuator = _pulumi.Actuator();

        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => actuator.GetCurrentSizeAsync("inference", CancellationToken.None));
        var secret = await Assert.ThrowsAsync<InvalidOperationException>(() => actuator.GetCurrentSizeAsync("inference", CancellationToken.None));

        Assert.Contains("has no output 'targetSize'", missing.Message);
        Assert.Contains("\"[secret]\"", secret.Message);
    }

    [Fact]
    public async Task Without_a_summary_event_the_changes_come_from_stack_history()
    {
        _pulumi.OutputsTargetSize(2).On("up").On("stack-history", stdout: Contract.HistoryJson);

        var result = await _pulumi.Actuator().ApplyAsync("inference", 3, "load", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Applied, result.Outcome);
        Assert.Equal(new Dictionary<string, int> { ["create"] = 3 }, result.ResourceChanges);
        Assert.Equal(["stack", "history", "--json", "--page-size", "1", "--page", "1", "--stack", "dev", "--non-interactive"], _pulumi.Calls()[^1].Args);
    }

    private static async Task AssertGoneAsync(int? pid)
    {
        Assert.NotNull(pid);
        // A killed child may linger briefly as a zombie before init reaps it; either way it no longer runs.
        await WaitForAsync(() => !IsRunning(pid.Value));
        Assert.False(IsRunning(pid.Value), $"process {pid} (the stand-in's child) still runs");
    }

    private static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }
    }
}
