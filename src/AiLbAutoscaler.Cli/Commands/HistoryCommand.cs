using AiLbAutoscaler.Cli.Settings;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>
/// <c>ailb history --stack &lt;name&gt; [--from &lt;time&gt;] [--to &lt;time&gt;] [--limit n] [--settings file] [--json]</c>:
/// the stack's decisions from the audit trail in Azure Storage, oldest first. The storage account comes from the
/// environment and the optional settings file (<c>Autoscaler:Storage:*</c> or <c>AzureWebJobsStorage</c>).
/// </summary>
public static class HistoryCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Command Create()
    {
        var stack = new Option<string>("--stack") { Description = "The stack (service) whose decisions to show.", Required = true };
        var from = new Option<DateTimeOffset?>("--from")
        {
            Description = "Earliest decision time, ISO 8601 (default: 24 hours ago). UTC unless an offset is given.",
            CustomParser = ParseTime,
        };
        var to = new Option<DateTimeOffset?>("--to")
        {
            Description = "Decisions before this time, ISO 8601 (default: now).",
            CustomParser = ParseTime,
        };
        var limit = new Option<int>("--limit") { Description = "At most this many decisions.", DefaultValueFactory = _ => 500 };
        var settings = new Option<FileInfo?>("--settings")
        {
            Description = "A JSON settings file (flat, nested, or a Functions local.settings.json); it wins over environment variables.",
        };
        var json = new Option<bool>("--json") { Description = "Print the records as JSON instead of a table." };

        var command = new Command("history", "Show a stack's scaling decisions from the audit trail.") { stack, from, to, limit, settings, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            var now = DateTimeOffset.UtcNow;
            var end = result.GetValue(to) ?? now.AddTicks(1);
            var start = result.GetValue(from) ?? end.AddDays(-1);
            var max = result.GetValue(limit);
            if (start >= end)
            {
                await error.WriteLineAsync($"--from ({start:O}) must be earlier than --to ({end:O}).");
                return 2;
            }

            if (max <= 0)
            {
                await error.WriteLineAsync($"--limit must be positive (was {max}).");
                return 2;
            }

            try
            {
                var configuration = CliSettings.Build(result.GetValue(settings)?.FullName);
                // The same port the HTTP route reads, from the same registration; reading never creates a table.
                await using var services = new ServiceCollection().AddAzureStorageState(configuration).BuildServiceProvider();
                var audit = services.GetRequiredService<IAuditLog>();
                var stackName = result.GetRequiredValue(stack);
                var records = await audit.QueryAsync(stackName, start, end, max, cancellationToken);
                if (result.GetValue(json))
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(records, Json));
                }
                else
                {
                    Render(output, stackName, start, end, records);
                    if (records.Count == max)
                    {
                        await output.WriteLineAsync($"Showing the first {max}; there may be more (raise --limit or narrow --from/--to).");
                    }
                }

                return 0;
            }
            catch (Exception ex) when (ex is OptionsValidationException or FileNotFoundException or InvalidDataException or ArgumentException)
            {
                await error.WriteLineAsync(ex.Message);
                return 2;
            }
            catch (PortException ex)
            {
                await error.WriteLineAsync(ex.Message);
                return 1;
            }
        });
        return command;
    }

    private static DateTimeOffset? ParseTime(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
        {
            return value;
        }

        result.AddError($"{result.Argument.Name}: '{text}' is not a time; use ISO 8601, for example 2026-11-26T10:00:00Z.");
        return null;
    }

    private static void Render(TextWriter output, string stack, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<AuditRecord> records)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!ReferenceEquals(output, Console.Out))
        {
            console.Profile.Width = 200; // a file or a pipe has no width of its own; do not wrap at 80
        }

        console.WriteLine($"{records.Count} decision(s) of stack '{stack}' from {from.UtcDateTime:u} to {to.UtcDateTime:u}");
        if (records.Count == 0)
        {
            return;
        }

        var table = new Table().AddColumns("At (UTC)", "Trigger", "Size", "Action", "Outcome", "Explanation");
        foreach (var r in records)
        {
            var outcome = r.Actuation.Outcome + (r.DryRun ? " (dry run)" : "") +
                (r.Actuation.Duration > TimeSpan.Zero ? $" in {r.Actuation.Duration.TotalSeconds:0.#} s" : "") +
                (string.IsNullOrEmpty(r.Actuation.Message) ? "" : $": {r.Actuation.Message}");
            table.AddRow(
                new Text(r.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                new Text(r.Trigger.ToString()),
                new Text($"{r.Decision.CurrentSize} → {r.Decision.DesiredSize}"),
                new Text(r.Decision.Action.ToString()),
                new Text(outcome),
                new Text(r.Decision.Explanation));
        }

        console.Write(table);
    }
}
