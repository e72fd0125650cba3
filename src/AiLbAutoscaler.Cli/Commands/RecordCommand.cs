using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AiLbAutoscaler.Adapters.Metrics;
using AiLbAutoscaler.Adapters.Metrics.Configuration;
using AiLbAutoscaler.Adapters.Metrics.Recording;
using AiLbAutoscaler.Cli.Settings;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Traffic;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>
/// <c>ailb record --stack NAME [--settings FILE] --from TIME [--to TIME] [--out FILE]</c>: a stack's requests per minute from
/// its configured metrics source, written (atomically) as a per-minute trace that <c>backtest</c> reads. Progress goes to
/// stderr. Exit 0 on success, 1 when the source fails, 2 on bad settings, arguments or range.
/// </summary>
public static partial class RecordCommand
{
    public static Command Create()
    {
        var stack = new Option<string>("--stack") { Description = "The stack to record (a key of Autoscaler:Stacks).", Required = true };
        var settings = new Option<FileInfo?>("--settings") { Description = "A JSON settings file (as for ailb metrics); it wins over environment variables." };
        var from = new Option<string>("--from") { Description = "Start: ISO-8601 (2026-01-10T00:00:00Z) or relative to now (-14d, -36h, -90m, -2w).", Required = true };
        var to = new Option<string?>("--to") { Description = "End, in the same forms (default now)." };
        var output = new Option<string?>("--out") { Description = "The trace CSV to write (default <stack>.csv)." };
        var command = new Command("record", "Record a stack's requests per minute from Cloud Monitoring or Prometheus as a trace to backtest.")
        {
            stack, settings, from, to, output,
        };
        command.SetAction((parse, ct) => RunAsync(parse, parse.GetValue(stack)!, parse.GetValue(settings)?.FullName, parse.GetValue(from)!, parse.GetValue(to),
            parse.GetValue(output), ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, string stack, string? settingsFile, string fromText, string? toText, string? outPath, CancellationToken cancellationToken)
    {
        var stdout = parse.InvocationConfiguration.Output;
        var stderr = parse.InvocationConfiguration.Error;
        ServiceProvider provider;
        try
        {
            provider = new ServiceCollection().AddMetricsAdapters(CliSettings.Build(settingsFile)).BuildServiceProvider();
            _ = provider.GetRequiredService<IOptions<MetricsOptions>>().Value;
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException or InvalidDataException or FileNotFoundException)
        {
            foreach (var failure in ex is OptionsValidationException v ? v.Failures : [ex.Message])
            {
                await stderr.WriteLineAsync($"settings: {failure}");
            }

            return 2;
        }

        await using (provider)
        {
            var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
            DateTimeOffset start, end;
            try
            {
                start = ParseTime(fromText, "--from", now);
                end = toText is null ? now : ParseTime(toText, "--to", now);
            }
            catch (ArgumentException ex)
            {
                await stderr.WriteLineAsync($"error: {ex.Message}");
                return 2;
            }

            RecordedTrace trace;
            try
            {
                trace = await provider.GetRequiredService<TrafficRecorder>().RecordAsync(stack, start, end, line => stderr.WriteLine(line), cancellationToken);
            }
            catch (RecordSettingsException ex)
            {
                await stderr.WriteLineAsync($"error: {ex.Message}");
                return 2;
            }
            catch (MetricsQueryException ex)
            {
                await stderr.WriteLineAsync($"error: stack '{stack}': {ex.Message}");
                return 1;
            }

            var path = outPath ?? stack + ".csv";
            try
            {
                AtomicFile.Write(path, s => Write(trace, s));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"error: --out '{path}' could not be written: {ex.Message}");
                return 2;
            }

            await stdout.WriteLineAsync($"wrote {path}: {trace.Minutes.Count} minutes from {trace.Source}, {trace.GapMinutes} gap minutes"
                + (trace.HasTokens ? ", with token means" : ""));
            return 0;
        }
    }

    /// <summary>ISO-8601 (a time without offset is UTC), <c>now</c>, or <c>-N</c> followed by s, m, h, d or w.</summary>
    internal static DateTimeOffset ParseTime(string text, string flag, DateTimeOffset now)
    {
        var t = text.Trim();
        if (t.Equals("now", StringComparison.OrdinalIgnoreCase))
        {
            return now;
        }

        var relative = Relative().Match(t);
        if (relative.Success)
        {
            var n = double.Parse(relative.Groups[1].Value, CultureInfo.InvariantCulture);
            var span = relative.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                "d" => TimeSpan.FromDays(n),
                _ => TimeSpan.FromDays(7 * n),
            };
            return now - span;
        }

        if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            && t.Length >= 10 && char.IsAsciiDigit(t[0]))
        {
            return at;
        }

        throw new ArgumentException($"{flag} '{text}' is neither an ISO-8601 time (2026-01-10T00:00:00Z) nor a relative time (-14d, -36h, -90m, -2w, now).");
    }

    [GeneratedRegex(@"^-([0-9]+(?:\.[0-9]+)?)(s|m|h|d|w)$")]
    private static partial Regex Relative();

    /// <summary>The per-minute trace: comment lines, then <c>minute,requests[,prompt_tokens_mean,output_tokens_mean]</c>; a gap is an empty requests field.</summary>
    internal static void Write(RecordedTrace trace, Stream stream)
    {
        using var w = new StreamWriter(stream, new UTF8Encoding(false));
        w.NewLine = "\n";
        w.WriteLine($"# ailb record: stack {trace.Stack}");
        w.WriteLine($"# source: {trace.Source}");
        w.WriteLine($"# range: {Iso(trace.From)} to {Iso(trace.To)} ({trace.Minutes.Count} minutes; minute 0 starts at {Iso(trace.From)})");
        foreach (var (name, query) in trace.Queries)
        {
            w.WriteLine($"# query {name}: {query}");
        }

        w.WriteLine($"# gaps: {trace.GapMinutes} minutes with no data (empty requests field; backtest holds the previous minute's rate)");
        w.WriteLine(trace.HasTokens ? $"minute,requests,{TraceFiles.PromptTokensMeanColumn},{TraceFiles.OutputTokensMeanColumn}" : "minute,requests");
        for (var i = 0; i < trace.Minutes.Count; i++)
        {
            var m = trace.Minutes[i];
            var line = $"{i},{Number(m.Requests, "0.###")}";
            w.WriteLine(trace.HasTokens ? $"{line},{Number(m.PromptTokensMean, "0.##")},{Number(m.OutputTokensMean, "0.##")}" : line);
        }
    }

    private static string Number(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "";

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
