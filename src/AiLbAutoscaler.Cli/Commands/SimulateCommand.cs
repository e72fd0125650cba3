using System.CommandLine;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Traffic;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>
/// <c>ailb simulate</c>: one policy (ailb by default) on a trace or a built-in scenario (diurnal by default), with
/// progress, a summary (with the oracle's run beside it for cost), and a timeline CSV and PNG chart in the output folder.
/// </summary>
public static class SimulateCommand
{
    public const string DefaultScenario = Scenarios.Diurnal;

    public static Command Create()
    {
        var inputs = new SimulationInputs();
        var policy = new Option<string?>("--policy") { Description = $"the policy to run: {string.Join(", ", PolicyCatalog.Names)} (default ailb)" };
        var output = new Option<string>("--out") { Description = "output folder for timeline.csv and chart.png", DefaultValueFactory = _ => "sim-out" };
        var command = new Command("simulate", "Simulate a GCP inference fleet under one scaling policy (no cloud needed)");
        inputs.AddTo(command);
        command.Options.Add(policy);
        command.Options.Add(output);
        command.SetAction(parse => SimulationInputs.Guard(parse, () =>
        {
            var config = inputs.Resolve(parse, DefaultScenario);
            var name = parse.GetValue(policy) ?? config.Policy ?? "ailb";
            var policies = PolicyCatalog.Parse(name);
            if (policies.Count != 1)
            {
                throw new ArgumentException("simulate runs one policy; use backtest to compare several.");
            }

            var outDir = parse.GetValue(output)!;
            var trace = SimulationInputs.TraceOf(config);
            var console = SimulationInputs.ConsoleFor(parse);
            console.MarkupLine($"[bold]ailb simulate[/]: policy [green]{policies[0]}[/] on [blue]{Markup.Escape(trace.Name)}[/] (rate ×{trace.RateScale:0.###}, seed {trace.Seed})");
            // The oracle runs beside it (in parallel) so the summary can say what the run cost against the lower bound.
            IReadOnlyList<string> runs = policies[0] == OraclePolicy.PolicyName ? policies : [policies[0], OraclePolicy.PolicyName];
            var result = ProgressRunner.Run(console, runs, progress => Request(config, trace, runs, timeline: true, progress));
            console.Write(ScoreTable.Build(result));

            var run = result.Runs[0];
            var csv = Path.Combine(outDir, "timeline.csv");
            var png = Path.Combine(outDir, "chart.png");
            AtomicFile.Write(csv, s => TimelineCsv.Write(run.Timeline, s));
            TimelineChart.Save(png, [(run.Score.Policy, run.Timeline)], result.SloMs, $"{run.Score.Policy} on {trace.Name}");
            console.MarkupLine($"wrote [blue]{Markup.Escape(csv)}[/] and [blue]{Markup.Escape(png)}[/]");
            return 0;
        }));
        return command;
    }

    internal static BacktestRequest Request(SimulationConfig config, TraceSpec trace, IReadOnlyList<string> policies, bool timeline, Action<string, double>? progress,
        bool recordInstruments = false) => new()
    {
        Trace = trace,
        Policies = policies,
        Options = config.Simulation,
        AilbPolicy = config.Ailb.Policy,
        Hpa = config.Hpa,
        Gce = config.Gce,
        RecordTimeline = timeline,
        RecordInstruments = recordInstruments,
        Progress = progress,
    };
}
