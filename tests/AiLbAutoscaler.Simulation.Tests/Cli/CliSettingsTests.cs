using AiLbAutoscaler.Cli.Settings;

namespace AiLbAutoscaler.Simulation.Tests.Cli;

/// <summary>How <c>ailb metrics</c> and <c>ailb history</c> read <c>--settings FILE</c> over the environment (files only, no server).</summary>
[Trait("Area", "Cli")]
public sealed class CliSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ailb-settings-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_nested_app_settings_file_is_read_with_lists()
    {
        var file = Write("""
            {
              "Autoscaler": { "Stacks": { "inference": { "Metrics": {
                "Project": "my-proj", "WindowMinutes": 15,
                "Signals": [ { "Name": "queue_per_instance", "Filter": "metric.type = \"x\"", "GroupBy": ["a", "b"] } ] } } } }
            }
            """);

        var configuration = CliSettings.Build(file, new Dictionary<string, string?>());

        Assert.Equal("my-proj", configuration["Autoscaler:Stacks:inference:Metrics:Project"]);
        Assert.Equal("15", configuration["Autoscaler:Stacks:inference:Metrics:WindowMinutes"]);
        Assert.Equal("metric.type = \"x\"", configuration["Autoscaler:Stacks:inference:Metrics:Signals:0:Filter"]);
        Assert.Equal("b", configuration["Autoscaler:Stacks:inference:Metrics:Signals:0:GroupBy:1"]);
    }

    [Fact]
    public void A_local_settings_file_reads_its_values_with_double_underscores_and_wins_over_the_environment()
    {
        var file = Write("""
            {
              "IsEncrypted": false,
              "Values": {
                "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",
                "Autoscaler__Stacks__inference__Metrics__Project": "from-file",
                "Autoscaler:Stacks:inference:Metrics:Zone": "us-central1-a"
              }
            }
            """);
        var environment = new Dictionary<string, string?>
        {
            ["Autoscaler__Stacks__inference__Metrics__Project"] = "from-env",
            ["Autoscaler__Stacks__inference__Metrics__InstanceGroupName"] = "llm-mig",
        };

        var configuration = CliSettings.Build(file, environment);

        Assert.Equal("from-file", configuration["Autoscaler:Stacks:inference:Metrics:Project"]);
        Assert.Equal("us-central1-a", configuration["Autoscaler:Stacks:inference:Metrics:Zone"]);
        Assert.Equal("llm-mig", configuration["Autoscaler:Stacks:inference:Metrics:InstanceGroupName"]);
        Assert.Null(configuration["IsEncrypted"]);
    }

    [Fact]
    public void A_broken_file_is_reported_with_its_path_and_line()
    {
        var file = Write("{\n  \"Autoscaler\": {\n    \"Stacks\": \n}");

        var error = Assert.Throws<InvalidDataException>(() => CliSettings.Build(file, new Dictionary<string, string?>()));

        Assert.StartsWith($"Settings file '{file}' is not valid JSON (line 4)", error.Message);
        var missing = Path.Combine(_dir, "none.json");
        Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => CliSettings.Build(missing)).Message);
    }

    private string Write(string json)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }
}
