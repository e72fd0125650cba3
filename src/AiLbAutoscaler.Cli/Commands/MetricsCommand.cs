using AiLbAutoscaler.Cli.Settings;
using System.CommandLine;
using System.Globalization;
using AiLbAutoscaler.Adapters.Metrics.Configuration;
using AiLbAutoscaler.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>
/// <c>ailb metrics --stack NAME [--settings FILE]</c>: reads a stack's signals once through the real metrics adapters and
/// prints each with its value, time, age and problem, so operators can check their queries before enabling scaling.
/// Exit code 0 when every signal has a value, 1 when some are missing, 2 on bad settings.
/// </summary>
public static class MetricsCommand
{
    public static Command Create()
    {
        var stackOption = new Option<string>("--stack") { Description = "The stack whose signals to read (a key of Autoscaler:Stacks).", Required = true };
        var settingsOption = new Option<FileInfo?>("--settings")
        {
            Description = "A JSON settings file (app settings, or local.settings.json with a Values object); it wins over environment variables.",
        };
        var command = new Command("metrics", "Read a stack's signals once and print them with their ages.") { stackOption, settingsOption };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(stackOption)!, parse.GetValue(settingsOption)?.FullName, ct));
        return command;
    }

    private static async Task<int> RunAsync(string stack, string? settingsFile, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Console;
        ServiceProvider provider;
        MetricsOptions options;
        try
        {
            var configuration = CliSettings.Build(settingsFile);
            provider = new ServiceCollection().AddMetricsAdapters(configuration).BuildServiceProvider();
            options = provider.GetRequiredService<IOptions<MetricsOptions>>().Value;
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException or InvalidDataException or FileNotFoundException)
        {
            var failures = ex is OptionsValidationException v ? v.Failures : [ex.Message];
            foreach (var failure in failures)
            {
                console.MarkupLineInterpolated($"[red]settings:[/] {failure}");
            }

            return 2;
        }

        await using (provider)
        {
            if (!options.Stacks.TryGetValue(stack, out var settings))
            {
                console.MarkupLineInterpolated($"[red]settings:[/] stack '{stack}' is not configured under {MetricsOptions.StacksPath} (known: {string.Join(", ", options.Stacks.Keys)}).");
                return 2;
            }

            var time = provider.GetRequiredService<TimeProvider>();
            var observation = await provider.GetRequiredService<IMetricsSource>().ObserveAsync(stack, cancellationToken);
            var now = time.GetUtcNow();
            var table = new Table().Title($"{stack}: {settings.Source}").AddColumns("Signal", "Value", "Observed at (UTC)", "Age", "Problem");
            foreach (var reading in observation.Signals)
            {
                table.AddRow(
                    Markup.Escape(reading.Signal),
                    reading.Value is { } value ? value.ToString("G6", CultureInfo.InvariantCulture) : "[yellow]missing[/]",
                    reading.ObservedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "",
                    reading.AgeAt(now) is { } age ? $"{age.TotalSeconds:0} s" : "",
                    Markup.Escape(reading.Problem ?? ""));
            }

            console.Write(table);
            if (observation.InstanceAges is { } ages)
            {
                console.MarkupLineInterpolated($"instances: {ages.Count}, ages (s): {string.Join(", ", ages.Select(a => a.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)))}");
            }

            return observation.Signals.All(s => s.HasValue) ? 0 : 1;
        }
    }
}
