using AiLbAutoscaler.Cli.Settings;
using System.CommandLine;
using System.Text.Json;
using AiLbAutoscaler.Adapters.AzureStorage.Configuration;
using AiLbAutoscaler.Cli.Commands;
using AiLbAutoscaler.Cli.Conventions;
using AiLbAutoscaler.Storage.Tests.Azurite;

namespace AiLbAutoscaler.Storage.Tests;

/// <summary><c>ailb history</c> against a real Azurite, and how the CLI reads its settings.</summary>
[Trait("Area", "Storage")]
public sealed class HistoryCommandTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ailb-history-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task History_prints_the_stack_s_decisions_in_the_range_as_json_or_a_table()
    {
        var storage = azurite.NewStorage();
        for (var minute = 0; minute < 6; minute++)
        {
            await storage.Audit.AppendAsync(AuditLogTests.FullRecord("web", T0.AddMinutes(minute)), CancellationToken.None);
        }

        // A Functions local.settings.json, keys nested with "__".
        var settings = Write("local.settings.json", $$"""
            {
              "IsEncrypted": false,
              "Values": {
                "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",
                "Autoscaler__Storage__ConnectionString": "{{storage.Clients.Options.ConnectionString}}",
                "Autoscaler__Storage__AuditTableName": "{{storage.Clients.Options.AuditTableName}}",
                "Autoscaler__Stacks__web__Policy__MaxSize": "3"
              }
            }
            """);

        var (code, output, error) = await RunAsync("history", "--stack", "web", "--from", "2026-11-26T10:01:00Z", "--to", "2026-11-26T10:04:00Z", "--settings", settings, "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var times = json.RootElement.EnumerateArray().Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(2), T0.AddMinutes(3)], times);
        Assert.Equal("ScaleUp", json.RootElement[0].GetProperty("decision").GetProperty("action").GetString());

        (code, output, error) = await RunAsync("history", "--stack", "web", "--from", "2026-11-26T10:00:00Z", "--to", "2026-11-26T11:00:00Z", "--settings", settings);

        Assert.True(code == 0, error);
        Assert.Contains("6 decision(s) of stack 'web'", output);
        Assert.Contains("2026-11-26 10:05:00", output);
        Assert.Contains("4 → 6", output);
        Assert.Contains("Applied", output);
        Assert.DoesNotContain("there may be more", output);

        (code, output, error) = await RunAsync("history", "--stack", "web", "--from", "2026-11-26T10:00:00Z", "--limit", "2", "--settings", settings);

        Assert.True(code == 0, error);
        Assert.Contains("2 decision(s)", output);
        Assert.Contains("2026-11-26 10:01:00", output);
        Assert.DoesNotContain("2026-11-26 10:02:00", output);
        Assert.DoesNotContain("there may be more", output); // a note, so on stderr
        Assert.Contains("Showing the first 2; there may be more", error);
    }

    [Fact]
    public async Task A_bad_setting_or_argument_is_reported_on_stderr_with_a_failing_exit_code()
    {
        var flat = Write("flat.json", """{ "Autoscaler": { "Storage": { "ConnectionString": "UseDevelopmentStorage=true", "LeaseDurationSeconds": 5 } } }""");

        var (code, _, error) = await RunAsync("history", "--stack", "web", "--settings", flat);
        Assert.Equal(2, code);
        Assert.Contains("Autoscaler:Storage:LeaseDurationSeconds", error);

        (code, _, error) = await RunAsync("history", "--stack", "web", "--from", "yesterday-ish", "--settings", flat);
        Assert.NotEqual(0, code);
        Assert.Contains("'yesterday-ish' is not a time", error);

        (code, _, error) = await RunAsync("history", "--stack", "web", "--from", "2026-11-26T10:00:00Z", "--to", "2026-11-26T09:00:00Z", "--settings", flat);
        Assert.Equal(2, code);
        Assert.Contains("must be earlier", error);

        (code, _, error) = await RunAsync("history", "--stack", "web", "--settings", Path.Combine(_dir.FullName, "missing.json"));
        Assert.Equal(2, code);
        Assert.Contains("missing.json' does not exist", error);
    }

    [Fact]
    public async Task An_unreachable_account_is_reported_without_its_key()
    {
        var dead = azurite.NewOptions().ConnectionString!.Replace($":{azurite.Server.TablePort}/", ":1/", StringComparison.Ordinal);
        var settings = Write("dead.json", JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Autoscaler:Storage:ConnectionString"] = dead,
            ["Autoscaler:Storage:MaxRetries"] = 0,
            ["Autoscaler:Stacks:web:Policy:MaxSize"] = 3,
        }));

        var (code, _, error) = await RunAsync("history", "--stack", "web", "--settings", settings);

        Assert.Equal(1, code);
        Assert.Contains("Azure Storage is unreachable", error);
        Assert.DoesNotContain(AzuriteServer.AccountKey, error);
    }

    [Fact]
    public void Settings_come_from_the_environment_and_an_explicit_file_wins()
    {
        var file = Write("settings.json", """
            {
              // comments are allowed
              "Autoscaler": { "Storage": { "StateTableName": "FromFile" } },
              "Autoscaler__Storage__LeaseDurationSeconds": 45,
              "Autoscaler:Storage:MaxRetries": "2",
            }
            """);
        var environment = new Dictionary<string, string>
        {
            ["Autoscaler__Storage__StateTableName"] = "FromEnvironment",
            ["Autoscaler__Storage__AuditTableName"] = "AuditFromEnvironment",
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        };

        var configuration = CliSettings.Build(file, environment);
        var options = AzureStorageOptionsSetup.Load(configuration);

        Assert.Equal("FromFile", options.StateTableName);
        Assert.Equal("AuditFromEnvironment", options.AuditTableName);
        Assert.Equal(45, options.LeaseDurationSeconds);
        Assert.Equal(2, options.MaxRetries);
        Assert.Equal("AzureWebJobsStorage", options.ConnectionSource);
    }

    [Fact]
    public void A_settings_file_that_is_not_json_is_named_with_the_line()
    {
        var file = Write("broken.json", "{\n  \"a\": 1,\n  oops\n}");

        var error = Assert.Throws<InvalidDataException>(() => CliSettings.Build(file, new Dictionary<string, string>()));

        Assert.Contains("broken.json", error.Message);
        Assert.Contains("line 3", error.Message);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand("ailb") { HistoryCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Task.Run(() => CommandRunner.Invoke(root, args, new InvocationConfiguration { Output = output, Error = error }));
        return (code, output.ToString(), error.ToString());
    }
}
