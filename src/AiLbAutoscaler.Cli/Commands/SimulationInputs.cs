using System.CommandLine;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Traffic;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>The options simulate and backtest share, and how a config file and flags combine (flags win).</summary>
internal sealed class SimulationInputs
{
    public Option<string?> Config { get; } = new("--config") { Description = "JSON config file (see docs/simulation.md); flags override it" };

    public Option<string?> Trace { get; } = new("--trace") { Description = "trace CSV: t_ms,prompt_tokens,output_tokens or minute,requests" };

    public Option<string?> Scenario { get; } = new("--scenario") { Description = $"built-in scenario: {string.Join(", ", Scenarios.Names)}" };

    public Option<double?> RateScale { get; } = new("--rate-scale") { Description = "multiply the trace's request rate (default 1)" };

    public Option<ulong?> Seed { get; } = new("--seed") { Description = "random seed (default 42); the same seed gives the same result" };

    public Option<double?> SloMs { get; } = new("--slo-ms") { Description = "TTFT objective in ms (default 2000)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Config);
        command.Options.Add(Trace);
        command.Options.Add(Scenario);
        command.Options.Add(RateScale);
        command.Options.Add(Seed);
        command.Options.Add(SloMs);
    }

    /// <summary>The config file (or defaults) with the flags applied.</summary>
    public SimulationConfig Resolve(ParseResult parse, string? defaultScenario)
    {
        var path = parse.GetValue(Config);
        var config = path is null ? new SimulationConfig() : SimulationConfig.Load(path);
        config.Simulation ??= new();
        config.Ailb ??= new();
        config.Hpa ??= new();
        config.Gce ??= new();
        var trace = parse.GetValue(Trace);
        var scenario = parse.GetValue(Scenario);
        if (trace is not null && scenario is not null)
        {
            throw new ArgumentException("Give either --trace or --scenario, not both.");
        }

        if (trace is not null)
        {
            config.Trace = trace;
            config.Scenario = null;
        }
        else if (scenario is not null)
        {
            config.Scenario = scenario;
            config.Trace = null;
        }

        if (config.Trace is not null && config.Scenario is not null)
        {
            throw new ArgumentException("The config names both Trace and Scenario; keep one.");
        }

        if (config.Trace is null && config.Scenario is null)
        {
            config.Scenario = defaultScenario ?? throw new ArgumentException(
                $"Say what to replay: --trace <csv> or --scenario <{string.Join("|", Scenarios.Names)}>.");
        }

        config.RateScale = parse.GetValue(RateScale) ?? config.RateScale ?? 1;
        config.Seed = parse.GetValue(Seed) ?? config.Seed ?? 42;
        if (parse.GetValue(SloMs) is double slo)
        {
            config.Simulation.SloMs = slo;
        }

        var errors = config.Simulation.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors));
        }

        return config;
    }

    public static TraceSpec TraceOf(SimulationConfig config) => config.Trace is not null
        ? TraceSpec.FromFile(config.Trace, config.RateScale ?? 1, config.Seed ?? 42, config.Simulation.Tokens)
        : TraceSpec.FromScenario(config.Scenario!, config.RateScale ?? 1, config.Seed ?? 42, config.Simulation.ScenarioBaseRate, config.Simulation.Tokens);

    /// <summary>A console on the invocation's output, so in-process callers (tests) can read what was printed.</summary>
    public static IAnsiConsole ConsoleFor(ParseResult parse)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(parse.InvocationConfiguration.Output) });
        if (Console.IsOutputRedirected || !ReferenceEquals(parse.InvocationConfiguration.Output, Console.Out))
        {
            console.Profile.Width = 180; // a file or pipe: keep the table on one line per policy
        }

        return console;
    }

    /// <summary>Runs a command body, turning bad input into one clear line on stderr and exit code 2.</summary>
    public static int Guard(ParseResult parse, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (ex is ArgumentException or TraceFormatException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
        {
            parse.InvocationConfiguration.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
    }
}
