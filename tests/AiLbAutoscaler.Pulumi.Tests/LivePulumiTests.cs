using AiLbAutoscaler.Adapters.Pulumi.Cli;

namespace AiLbAutoscaler.Pulumi.Tests;

/// <summary>
/// Runs only when opted in with <c>AILB_LIVE_PULUMI=1</c>; otherwise xunit reports it as skipped with the reason.
/// Opted in but without a pulumi on PATH, it fails, saying so.
/// </summary>
public sealed class LivePulumiFactAttribute : FactAttribute
{
    public const string OptIn = "AILB_LIVE_PULUMI";

    public LivePulumiFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(OptIn) != "1")
        {
            Skip = $"Live pulumi test is opt-in: set {OptIn}=1 with a real pulumi CLI on PATH and Google credentials (see docs/pulumi.md).";
        }
    }
}

/// <summary>The real pulumi CLI: <c>pulumi preview</c> of infra/Pulumi.yaml on a local file backend.</summary>
[Trait("Area", "Pulumi")]
public sealed class LivePulumiTests
{
    [LivePulumiFact]
    public async Task Preview_of_the_program_on_a_local_file_backend_plans_the_whole_chain()
    {
        var binary = FindOnPath("pulumi")
            ?? throw new InvalidOperationException($"{LivePulumiFactAttribute.OptIn}=1 but no 'pulumi' on PATH. Install the CLI (https://www.pulumi.com/docs/install/) or unset {LivePulumiFactAttribute.OptIn}.");
        var work = Directory.CreateTempSubdirectory("ailb-live-pulumi-");
        try
        {
            File.Copy(Path.Combine(StandInPulumi.InfraDir, "Pulumi.yaml"), Path.Combine(work.FullName, "Pulumi.yaml"));
            var backend = Directory.CreateDirectory(Path.Combine(work.FullName, "state"));
            var env = new Dictionary<string, string?>
            {
                ["PULUMI_BACKEND_URL"] = "file://" + backend.FullName,
                ["PULUMI_CONFIG_PASSPHRASE"] = "ailb-live-test-passphrase",
                ["PULUMI_SKIP_UPDATE_CHECK"] = "true",
            };
            var cli = new PulumiCli(
                new PulumiCliSettings(binary, work.FullName, "live", TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10), env),
                new PulumiProcessRunner(TimeProvider.System));

            await cli.SelectOrCreateStackAsync(CancellationToken.None);
            await cli.SetConfigAsync("gcp:project", Environment.GetEnvironmentVariable("AILB_LIVE_GCP_PROJECT") ?? "ailb-live-preview", CancellationToken.None);
            await cli.SetConfigAsync("targetSize", "2", CancellationToken.None);
            Assert.Equal("2", await cli.GetConfigAsync("targetSize", CancellationToken.None));

            var preview = await cli.PreviewAsync("AiLbAutoscaler live preview", [], CancellationToken.None);

            Assert.True(preview.Events.Summary!.ResourceChanges.GetValueOrDefault("create") >= 10, string.Join(", ", preview.Events.Summary.ResourceChanges));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
}
