using System.CommandLine;
using AiLbAutoscaler.Cli.Conventions;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>
/// <c>ailb simulate</c>: one policy (ailb by default) on a trace or a built-in scenario (diurnal by default), with
/// progress, a summary (with the oracle's run beside it for cost), and a timeline CSV and chart in the output folder.
/// </summary>
public static class SimulateCommand
{
    public const string DefaultScenario = Scenarios.Diurnal;

    public static Command Create()
    {
        var inputs = new SimulationInputs();
        var policy = new Option<string?>("--policy") { Description = $"the policy to run: {string.Join(", ", PolicyCatalog.Default.Names)} (default ailb)" };
        var output = new Option<string>("--out") { Description = "output folder for timeline.csv and chart.png", DefaultValueFactory = _ => "sim-out" };
        var command = new Command("simulate", "Simulate a GCP inference fleet under one scaling policy (no cloud needed)");
        inputs.AddTo(command);
        command.Options.Add(policy);
        command.Options.Add(output);
        command.SetAction(parse => CommandRunner.Run(parse, inputs.Common, context =>
        {
            var config = inputs.Resolve(parse, "simulate");
            var name = parse.GetValue(policy) ?? config.Policy ?? "ailb";
            var policies = PolicyCatalog.Default.Parse(name);
            if (policies.Count != 1)
            {
                throw new UsageException("--policy: simulate runs one policy; use backtest to compare several.");
            }

            var outDir = parse.GetValue(output)!;
            OutputPaths.CheckFolderOption(outDir, "--out");
            var window = inputs.WindowOf(parse);
            var trace = SimulationInputs.TraceOf(config);
            context.Note($"ailb simulate: policy {policies[0]} on {trace.Name} (rate ×{trace.RateScale:0.###}, seed {trace.Seed})");
            // The oracle runs beside it (in parallel) so the summary can say what the run cost against the lower bound.
            IReadOnlyList<string> runs = policies[0] == OraclePolicy.PolicyName ? policies : [policies[0], OraclePolicy.PolicyName];
            var result = ProgressRunner.Run(context, runs, progress => Request(context, config, trace, runs, timeline: true, progress));
            ProgressRunner.WarnAtMaxSize(context, result);
            if (context.Json)
            {
                context.Out.WriteLine(BacktestReport.ToJson(result));
            }
            else
            {
                ScoreTable.Print(context, result, parse.GetValue(inputs.Wide));
            }

            var run = result.Runs[0];
            var csv = Path.Combine(outDir, "timeline.csv");
            var png = Path.Combine(outDir, "chart.png");
            AtomicFile.Write(csv, s => TimelineCsv.Write(run.Timeline, s));
            TimelineChart.Save(png, [(run.Score.Policy, run.Timeline)], result.SloMs, $"{run.Score.Policy} on {trace.Name}", window);
            context.Note($"wrote {csv} and {png}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    internal static BacktestRequest Request(CommandContext context, SimulationConfig config, TraceSpec trace, IReadOnlyList<string> policies, bool timeline, Action<string, double>? progress,
        bool recordInstruments = false) => new()
    {
        Trace = trace,
        Policies = policies,
        Options = config.Simulation,
        Settings = config.PolicySettings,
        RecordTimeline = timeline,
        RecordInstruments = recordInstruments,
        Progress = progress,
        BeforeRun = SimulationInputs.EstimateOrRefuse(context, trace, policies.Count),
    };
}
