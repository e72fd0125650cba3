using System.CommandLine;
using AiLbAutoscaler.Cli.Conventions;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>The options simulate and backtest share, and how a config file and flags combine (flags win).</summary>
internal sealed class SimulationInputs
{
    /// <summary>Replays larger than this (requests per policy) are refused: hours of wall time, and more than anyone means.</summary>
    public const double MaxRequestsPerPolicy = 1e9;

    /// <summary>A conservative replay speed for the up-front estimate (requests per wall-second per core; see docs/simulation.md for measured ones).</summary>
    public const double EstimatedRequestsPerCoreSecond = 400_000;

    public CommonOptions Common { get; } = new();

    public Option<string?> Config { get; } = new("--config") { Description = "JSON config file (see docs/simulation.md); flags override it; unknown or unused keys are errors" };

    public Option<string?> Trace { get; } = new("--trace") { Description = "trace CSV: t_ms,prompt_tokens,output_tokens or minute,requests" };

    public Option<string?> Scenario { get; } = new("--scenario") { Description = $"built-in scenario: {string.Join(", ", Scenarios.Names)} (default {SimulateCommand.DefaultScenario})" };

    public Option<double?> RateScale { get; } = CliOptions.Number("--rate-scale", "multiply the trace's request rate (default 1)", min: 0, exclusiveMin: true);

    public Option<ulong?> Seed { get; } = CliOptions.Unsigned("--seed", "random seed (default 42); the same seed gives the same result");

    public Option<double?> SloMs { get; } = CliOptions.Number("--slo-ms", "TTFT objective in ms (default 2000)", min: 0, exclusiveMin: true);

    public Option<string?> Window { get; } = new("--window") { Description = "chart only this part of the trace: FROM..TO in minutes, or hours with h (90..240, 2h..6h)" };

    public Option<bool> Wide { get; } = new("--wide") { Description = "show every column of the score table, whatever the terminal width" };

    public void AddTo(Command command)
    {
        command.Options.Add(Config);
        command.Options.Add(Trace);
        command.Options.Add(Scenario);
        command.Options.Add(RateScale);
        command.Options.Add(Seed);
        command.Options.Add(SloMs);
        command.Options.Add(Window);
        command.Options.Add(Wide);
        Common.AddTo(command);
    }

    /// <summary>The config file (or defaults) with the flags applied. Both commands default to the same built-in scenario.</summary>
    public SimulationConfig Resolve(ParseResult parse, string command)
    {
        var path = parse.GetValue(Config);
        var config = path is null ? new SimulationConfig() : SimulationConfig.Load(path);
        if (path is not null)
        {
            // A key the command does not read is as wrong as a misspelt one: say so rather than ignore it.
            if (command == "backtest" && config.Policy is not null)
            {
                throw new UsageException($"{path}: key 'Policy' is read by simulate only; backtest reads 'Policies' (comma-separated).");
            }

            if (command == "simulate" && config.Policies is not null)
            {
                throw new UsageException($"{path}: key 'Policies' is read by backtest only; simulate reads 'Policy' (one name).");
            }
        }

        config.Simulation ??= new();
        config.PolicySettings ??= Simulation.Policies.PolicySettings.Empty;
        var trace = parse.GetValue(Trace);
        var scenario = parse.GetValue(Scenario);
        if (trace is not null && scenario is not null)
        {
            throw new UsageException("Give either --trace or --scenario, not both.");
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
            throw new UsageException("The config names both Trace and Scenario; keep one.");
        }

        if (config.Trace is null && config.Scenario is null)
        {
            config.Scenario = SimulateCommand.DefaultScenario;
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
            throw new UsageException(string.Join(Environment.NewLine, errors.Select(e => path is null ? e : $"{path}: {e}")));
        }

        return config;
    }

    /// <summary>The chart window, checked before the run.</summary>
    public ChartWindow? WindowOf(ParseResult parse) => parse.GetValue(Window) is { } text ? ChartWindow.Parse(text) : null;

    public static TraceSpec TraceOf(SimulationConfig config) => config.Trace is not null
        ? TraceSpec.FromFile(config.Trace, config.RateScale ?? 1, config.Seed ?? 42, config.Simulation.Tokens)
        : TraceSpec.FromScenario(config.Scenario!, config.RateScale ?? 1, config.Seed ?? 42, config.Simulation.ScenarioBaseRate, config.Simulation.Tokens);

    /// <summary>Before anything runs: refuse a replay that would take hours, and say up front how long the rest will take.</summary>
    public static Action<double[]> EstimateOrRefuse(CommandContext context, TraceSpec trace, int runs) => profile =>
    {
        var requests = profile.Sum();
        var seconds = requests * runs / (EstimatedRequestsPerCoreSecond * Math.Max(1, Math.Min(Environment.ProcessorCount, runs)));
        if (requests > MaxRequestsPerPolicy)
        {
            throw new UsageException(
                $"--rate-scale {trace.RateScale:G4}: the run would replay about {requests:G3} requests per policy (about {Duration(seconds)} here); " +
                $"the limit is {MaxRequestsPerPolicy:G3}. Lower --rate-scale.");
        }

        context.Note($"about {requests:N0} requests per policy over {profile.Length} minutes; expect about {Duration(seconds)} on this machine.");
    };

    private static string Duration(double seconds) => seconds switch
    {
        < 90 => $"{Math.Max(1, seconds):0} s",
        < 5400 => $"{seconds / 60:0} min",
        < 172800 => $"{seconds / 3600:0.#} h",
        _ => $"{seconds / 86400:G3} days",
    };
}
