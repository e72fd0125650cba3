using AiLbAutoscaler.Cli.Conventions;
using AiLbAutoscaler.Cli.Settings;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiLbAutoscaler.Adapters.AzureStorage.Configuration;
using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>
/// <c>ailb history --stack &lt;name&gt; [--from &lt;time&gt;] [--to &lt;time&gt;] [--limit n] [--settings file] [-o json]</c>:
/// the stack's decisions from the audit trail in Azure Storage, oldest first. The storage account comes from the
/// environment and the optional settings file (<c>Autoscaler:Storage:*</c> or <c>AzureWebJobsStorage</c>); the stack
/// must be one the settings configure (<c>Autoscaler:Stacks:&lt;name&gt;</c>), as for <c>metrics</c>.
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
        var limit = CliOptions.Positive("--limit", "At most this many decisions (default 500).", 500);
        var settings = new Option<FileInfo?>("--settings")
        {
            Description = "A JSON settings file (flat, nested, or a Functions local.settings.json); it wins over environment variables.",
        };
        var json = new Option<bool>("--json") { Description = "Print the records as JSON instead of a table (the same as -o json)." };
        var common = new CommonOptions();

        var command = new Command("history", "Show a stack's scaling decisions from the audit trail.") { stack, from, to, limit, settings, json };
        common.AddTo(command);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(result, common, async context =>
        {
            var output = context.Out;
            var error = context.Err;
            var now = DateTimeOffset.UtcNow;
            var end = result.GetValue(to) ?? now.AddTicks(1);
            var start = result.GetValue(from) ?? end.AddDays(-1);
            var max = result.GetValue(limit);
            if (start >= end)
            {
                throw new UsageException($"--from ({start:O}) must be earlier than --to ({end:O}).");
            }

            try
            {
                var configuration = CliSettings.Build(result.GetValue(settings)?.FullName);
                _ = AzureStorageOptionsSetup.Load(configuration); // the storage settings are checked before anything else
                var stackName = result.GetRequiredValue(stack);
                var known = StackSettings.Configured(configuration);
                if (!known.Contains(stackName, StringComparer.OrdinalIgnoreCase))
                {
                    throw new UsageException(StackSettings.Unknown(stackName, known));
                }

                // The same port the HTTP route reads, from the same registration; reading never creates a table.
                await using var services = new ServiceCollection().AddAzureStorageState(configuration).BuildServiceProvider();
                var audit = services.GetRequiredService<IAuditLog>();
                var records = await audit.QueryAsync(stackName, start, end, max, cancellationToken);
                if (context.Json || result.GetValue(json))
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(records, Json));
                }
                else
                {
                    Render(output, stackName, start, end, records);
                    if (records.Count == max)
                    {
                        await error.WriteLineAsync($"Showing the first {max}; there may be more (raise --limit or narrow --from/--to).");
                    }
                }

                return ExitCodes.Ok;
            }
            catch (PortException ex)
            {
                throw new ProblemException(ex.Message);
            }
        }));
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
