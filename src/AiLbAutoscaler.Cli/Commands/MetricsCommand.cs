using AiLbAutoscaler.Adapters.Metrics;
using AiLbAutoscaler.Cli.Conventions;
using AiLbAutoscaler.Cli.Settings;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AiLbAutoscaler.Adapters.Metrics.Configuration;
using AiLbAutoscaler.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>
/// <c>ailb metrics --stack NAME [--settings FILE] [-o json]</c>: reads a stack's signals once through the real metrics
/// adapters and prints each with its value, time, age and problem, so operators can check their queries before enabling
/// scaling. Exit code 0 when every signal has a value, 1 when some are missing, 2 on bad settings or an unknown stack.
/// </summary>
public static class MetricsCommand
{
    public const string CredentialsFix =
        "set Autoscaler__Metrics__CredentialsFile (a service-account or external-account JSON file) or run where Application Default Credentials exist " +
        "(GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default login, or a GCP VM).";

    public static Command Create()
    {
        var common = new CommonOptions();
        var stackOption = new Option<string>("--stack") { Description = "The stack whose signals to read (a key of Autoscaler:Stacks).", Required = true };
        var settingsOption = new Option<FileInfo?>("--settings")
        {
            Description = "A JSON settings file (app settings, or local.settings.json with a Values object); it wins over environment variables.",
        };
        var command = new Command("metrics", "Read a stack's signals once and print them with their ages.") { stackOption, settingsOption };
        common.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, common, context =>
            RunAsync(context, parse.GetValue(stackOption)!, parse.GetValue(settingsOption)?.FullName, ct)));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, string stack, string? settingsFile, CancellationToken cancellationToken)
    {
        ServiceProvider provider;
        MetricsOptions options;
        try
        {
            var configuration = CliSettings.Build(settingsFile);
            provider = new ServiceCollection().AddMetricsAdapters(configuration).BuildServiceProvider();
            options = provider.GetRequiredService<IOptions<MetricsOptions>>().Value;
        }
        catch (InvalidOperationException ex)
        {
            throw new UsageException($"settings: {ex.Message}");
        }

        await using (provider)
        {
            if (!options.Stacks.TryGetValue(stack, out var settings))
            {
                throw new UsageException(StackSettings.Unknown(stack, options.Stacks.Keys));
            }

            var time = provider.GetRequiredService<TimeProvider>();
            var observation = await provider.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName).ObserveAsync(stack, cancellationToken);
            var now = time.GetUtcNow();
            if (context.Json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    stack,
                    source = settings.Source.ToString(),
                    at = now,
                    signals = observation.Signals.Select(r => new
                    {
                        signal = r.Signal,
                        value = r.Value is double v && double.IsFinite(v) ? v : (double?)null,
                        observed_at = r.ObservedAt,
                        age_seconds = r.AgeAt(now)?.TotalSeconds,
                        problem = r.Problem,
                    }),
                    instance_ages_seconds = observation.InstanceAges?.Select(a => a.TotalSeconds),
                }, new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                // A problem shared by several signals (no credentials, an unreachable endpoint) is printed once, on stderr.
                var shared = observation.Signals.Where(s => s.Problem is not null).GroupBy(s => WithoutType(s.Problem!)).Where(g => g.Count() > 1)
                    .Select((g, i) => (Problem: g.Key, Mark: $"see note {i + 1}", Count: g.Count())).ToList();
                foreach (var (problem, mark, count) in shared)
                {
                    context.Err.WriteLine($"note {mark[^1..]}: {count} signals: {problem}");
                    if (IsCredentials(problem))
                    {
                        context.Err.WriteLine($"  fix: {CredentialsFix}");
                    }
                }

                var table = new Table().Title($"{stack}: {settings.Source}").AddColumns("Signal", "Value", "Observed at (UTC)", "Age", "Problem");
                foreach (var reading in observation.Signals)
                {
                    var problem = reading.Problem is { } p ? shared.FirstOrDefault(s => s.Problem == WithoutType(p)).Mark ?? WithoutType(p) : "";
                    table.AddRow(
                        Markup.Escape(reading.Signal),
                        reading.Value is { } value ? value.ToString("G6", CultureInfo.InvariantCulture) : "[yellow]missing[/]",
                        reading.ObservedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "",
                        reading.AgeAt(now) is { } age ? $"{age.TotalSeconds:0} s" : "",
                        Markup.Escape(problem));
                }

                var console = context.OutConsole();
                console.Write(table);
                if (observation.InstanceAges is { } ages)
                {
                    console.WriteLine($"instances: {ages.Count}, ages (s): {string.Join(", ", ages.Select(a => a.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)))}");
                }

                if (shared.Count == 0 && observation.Signals.Any(s => s.Problem is { } p && IsCredentials(p)))
                {
                    context.Err.WriteLine($"fix: {CredentialsFix}");
                }
            }

            return observation.Signals.All(s => s.HasValue) ? ExitCodes.Ok : ExitCodes.Problem;
        }
    }

    /// <summary>"InvalidOperationException: Your default credentials…" reads better without the .NET type.</summary>
    private static string WithoutType(string problem) => System.Text.RegularExpressions.Regex.Replace(problem, @"^[A-Za-z.]*Exception: ", "");

    private static bool IsCredentials(string problem) =>
        problem.Contains("credential", StringComparison.OrdinalIgnoreCase);
}
