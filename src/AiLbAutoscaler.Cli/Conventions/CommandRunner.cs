using System.CommandLine;
using System.CommandLine.Help;
using System.Text.RegularExpressions;
using AiLbAutoscaler.Simulation.Traffic;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Conventions;

/// <summary>
/// Where every command's output goes: results on stdout (a table, or the JSON document with <c>-o json</c>), progress,
/// notes, warnings and errors on stderr. One per invocation.
/// </summary>
public sealed class CommandContext
{
    internal CommandContext(ParseResult parse, bool quiet, bool json)
    {
        Out = parse.InvocationConfiguration.Output;
        Err = parse.InvocationConfiguration.Error;
        Quiet = quiet;
        Json = json;
    }

    public TextWriter Out { get; }

    public TextWriter Err { get; }

    public bool Quiet { get; }

    /// <summary>stdout gets the JSON document, not the table.</summary>
    public bool Json { get; }

    /// <summary>A note for people (what runs, what was written): stderr, unless quiet.</summary>
    public void Note(string text)
    {
        if (!Quiet)
        {
            WriteErr(text);
        }
    }

    /// <summary>Something is off but the run goes on: stderr, even when quiet.</summary>
    public void Warn(string text) => WriteErr($"warning: {text}");

    /// <summary>On a terminal with live progress, through its console (which prints above the bars); else plainly.</summary>
    private void WriteErr(string text)
    {
        if (_err is { Profile.Capabilities.Interactive: true } console)
        {
            console.WriteLine(text);
        }
        else
        {
            Err.WriteLine(text);
        }
    }

    private IAnsiConsole? _err;

    /// <summary>A Spectre console on stdout, sized to the terminal (or COLUMNS, or wide when stdout is a file or pipe).</summary>
    public IAnsiConsole OutConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Out) });
        console.Profile.Width = Width;
        return console;
    }

    /// <summary>A Spectre console on stderr, for progress.</summary>
    public IAnsiConsole ErrConsole() => _err ??= AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Err) });

    /// <summary>The columns stdout has: the terminal's, else COLUMNS, else 240 (a file or a pipe has no width of its own).</summary>
    public int Width
    {
        get
        {
            if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 20)
            {
                return columns;
            }

            if (ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected)
            {
                try
                {
                    return Math.Max(40, Console.WindowWidth);
                }
                catch (IOException)
                {
                    // no terminal after all
                }
            }

            return 240;
        }
    }
}

/// <summary>
/// The exit-code contract in one place: parse errors and bad input exit 2 with a short message and a hint on stderr,
/// a run that found a problem exits 1, and no stack trace reaches the user (set AILB_DEBUG=1 to see one).
/// A command's action is <c>command.SetAction(parse =&gt; CommandRunner.Run(parse, common, ctx =&gt; ...))</c>.
/// </summary>
public static partial class CommandRunner
{
    /// <summary>Parses and invokes; what <c>Main</c> calls, and what tests call in process.</summary>
    public static int Invoke(RootCommand root, string[] args, InvocationConfiguration? configuration = null)
    {
        configuration ??= new InvocationConfiguration();
        configuration.EnableDefaultExceptionHandler = false;
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            var error = configuration.Error;
            foreach (var e in parse.Errors.Take(3))
            {
                error.WriteLine($"error: {Plain(e.Message)}");
            }

            var command = parse.CommandResult.Command;
            var path = ReferenceEquals(command, root) ? "ailb" : $"ailb {command.Name}";
            error.WriteLine($"hint: '{path} --help' lists the options.");
            return ExitCodes.BadInput;
        }

        try
        {
            return parse.Invoke(configuration);
        }
        catch (Exception ex)
        {
            return Fail(configuration.Error, ex);
        }
    }

    public static int Run(ParseResult parse, CommonOptions common, Func<CommandContext, int> body)
    {
        var context = common.ContextFor(parse);
        try
        {
            return body(context);
        }
        catch (Exception ex)
        {
            return Fail(context.Err, ex);
        }
    }

    public static async Task<int> RunAsync(ParseResult parse, CommonOptions common, Func<CommandContext, Task<int>> body)
    {
        var context = common.ContextFor(parse);
        try
        {
            return await body(context);
        }
        catch (Exception ex)
        {
            return Fail(context.Err, ex);
        }
    }

    /// <summary>One line per failure; the exit code the contract gives the exception's kind.</summary>
    public static int Fail(TextWriter error, Exception ex)
    {
        ex = ex is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : ex;
        var code = ex switch
        {
            UsageException or ArgumentException or TraceFormatException or FileNotFoundException or DirectoryNotFoundException
                or InvalidDataException or OptionsValidationException => ExitCodes.BadInput,
            _ => ExitCodes.Problem,
        };
        var lines = ex is OptionsValidationException v ? v.Failures : ex.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var line in lines)
        {
            error.WriteLine($"error: {Plain(line)}");
        }

        if (ex is OperationCanceledException)
        {
            error.WriteLine("error: cancelled");
        }

        if (Environment.GetEnvironmentVariable("AILB_DEBUG") == "1")
        {
            error.WriteLine(ex.ToString());
        }

        return code;
    }

    /// <summary>A parser or binder message without .NET type names.</summary>
    internal static string Plain(string message)
    {
        message = BinderConversion().Replace(message, m => $"{m.Groups["key"].Value}: '{m.Groups["value"].Value}' is not valid{Expected(m.Groups["type"].Value)}.");
        message = ExpectedType().Replace(message, m => $"{m.Groups["option"].Value}: '{m.Groups["value"].Value}' is not a valid value.");
        message = ExceptionName().Replace(message, "");
        return DotNetType().Replace(message, "");
    }

    [GeneratedRegex(@" ?\((System\.)?[A-Za-z.]*Exception\)|^[A-Za-z.]*Exception: ")]
    private static partial Regex ExceptionName();

    /// <summary>What a configuration key of this type takes, in words: an enum's names, or the kind of number.</summary>
    private static string Expected(string typeName)
    {
        var name = typeName.StartsWith("System.Nullable`1[", StringComparison.Ordinal) ? typeName[18..].TrimEnd(']') : typeName;
        var type = Type.GetType(name) ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(name)).FirstOrDefault(t => t is not null);
        return type switch
        {
            { IsEnum: true } => "; use one of " + string.Join(", ", Enum.GetNames(type)),
            _ when type == typeof(int) || type == typeof(long) || type == typeof(uint) || type == typeof(ulong) => "; use a whole number",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "; use a number",
            _ when type == typeof(bool) => "; use true or false",
            _ when type == typeof(TimeSpan) => "; use a time span such as 00:05:00",
            _ => "",
        };
    }

    [GeneratedRegex(@"Failed to convert configuration value '(?<value>[^']*)' at '(?<key>[^']*)' to type '(?<type>[^']*)'\.?")]
    private static partial Regex BinderConversion();

    [GeneratedRegex(@"Cannot parse argument '(?<value>[^']*)' for option '(?<option>[^']*)' as expected type '[^']*'\.?")]
    private static partial Regex ExpectedType();

    [GeneratedRegex(@" ?(contained in|to) type '[A-Za-z0-9_.`\[\]+]+'")]
    private static partial Regex DotNetType();
}

/// <summary>The flags every command has: <c>-o/--output table|json</c> and <c>-q/--quiet</c>.</summary>
public sealed class CommonOptions
{
    public Option<string> Output { get; } = CliOptions.Output();

    public Option<bool> Quiet { get; } = CliOptions.Quiet();

    public void AddTo(Command command)
    {
        command.Options.Add(Output);
        command.Options.Add(Quiet);
    }

    internal CommandContext ContextFor(ParseResult parse) =>
        new(parse, parse.GetValue(Quiet), parse.GetValue(Output) == CliOptions.Json);
}
