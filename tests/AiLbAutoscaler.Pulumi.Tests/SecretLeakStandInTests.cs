using System.Text.Json;
using AiLbAutoscaler.Adapters.Pulumi.Cli;
using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Core.Ports;

namespace AiLbAutoscaler.Pulumi.Tests;

/// <summary>
/// Issue 9, defect 3, against the stand-in pulumi: the child gets an allow-list of the host's environment, and what it
/// echoes back (its environment, argv and credential files, raw and JSON-escaped) reaches no message.
/// </summary>
[Trait("Area", "Pulumi")]
public sealed class SecretLeakStandInTests : IDisposable
{
    private readonly StandInPulumi _pulumi = new();

    public void Dispose() => _pulumi.Dispose();

    /// <summary>Every planted secret in the forms a leak would take: raw, JSON-escaped, and the private key's lines.</summary>
    public static IEnumerable<string> PlantedSecrets()
    {
        string[] raw =
        [
            StandInEnvironment.Passphrase, StandInEnvironment.AccessToken, StandInEnvironment.GoogleCredentials,
            StandInEnvironment.PrivateKeyLine1, StandInEnvironment.PrivateKeyLine2, StandInEnvironment.StorageAccountKey,
            StandInEnvironment.PassphraseFileContent, StandInEnvironment.AdcKeyLine,
        ];
        foreach (var s in raw)
        {
            yield return s;
            yield return JsonSerializer.Serialize(s)[1..^1];
            yield return s[..Math.Min(s.Length, 20)]; // a fragment
            yield return s[^Math.Min(s.Length, 20)..];
        }
    }

    [Fact]
    public async Task The_child_gets_what_pulumi_and_the_gcp_provider_need_and_not_the_hosts_other_settings()
    {
        Environment.SetEnvironmentVariable("AILB_TEST_HOST_ONLY", "host-only-value");
        _pulumi.OutputsTargetSize(3);

        Assert.Equal(3, await _pulumi.Actuator().GetCurrentSizeAsync("inference", CancellationToken.None));

        var env = Assert.Single(_pulumi.Calls()).Environment;
        Assert.False(env.ContainsKey("AzureWebJobsStorage"), "the host's storage connection string reached the child");
        Assert.False(env.ContainsKey("AILB_TEST_HOST_ONLY"));
        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), env["PATH"]);
        Assert.Equal(Environment.GetEnvironmentVariable("HOME"), env["HOME"]);
        Assert.Equal(StandInEnvironment.Passphrase, env["PULUMI_CONFIG_PASSPHRASE"]);
        Assert.Equal(StandInEnvironment.GoogleCredentials, env["GOOGLE_CREDENTIALS"]);
        Assert.True(env.ContainsKey("GOOGLE_APPLICATION_CREDENTIALS"));
        Assert.True(env.ContainsKey("PULUMI_CONFIG_PASSPHRASE_FILE"));
        Assert.DoesNotContain(env, kv => kv.Value.Contains(StandInEnvironment.StorageAccountKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cli_that_echoes_its_environment_argv_and_credential_files_leaks_nothing()
    {
        _pulumi.On("stack-output", exit: 1, action: "echo-secrets");

        var ex = await Assert.ThrowsAsync<PulumiCommandException>(() => _pulumi.Actuator().GetCurrentSizeAsync("inference", CancellationToken.None));

        Assert.Contains("PULUMI_CONFIG_PASSPHRASE=***", ex.StandardError); // the echo is still recognisable
        foreach (var secret in PlantedSecrets())
        {
            Assert.DoesNotContain(secret, ex.Message + "\n" + ex.StandardError);
        }
    }

    [Fact]
    public async Task An_up_that_echoes_secrets_fails_with_a_redacted_actuation_message()
    {
        _pulumi.OutputsTargetSize(2).On("up", exit: 1, action: "echo-secrets");

        var result = await _pulumi.Actuator().ApplyAsync("inference", 4, "load", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Failed, result.Outcome);
        foreach (var secret in PlantedSecrets())
        {
            Assert.DoesNotContain(secret, result.Message);
        }
    }
}
