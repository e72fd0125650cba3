using System.CommandLine;
using AiLbAutoscaler.Cli.Conventions;
using System.Globalization;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Sweep;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>
/// <c>ailb tune (--trace &lt;csv&gt; | --scenario &lt;name&gt;) [--slo-ms N] [--attainment 0.99] [--stack inference] [--out &lt;file&gt;]</c>:
/// sweeps ailb's knobs and the baselines' on the user's trace and SLO, prints the cheapest ailb policy that meets the
/// attainment beside the tuned baselines, and writes it as app settings the Functions app reads as they are.
/// </summary>
public static class TuneCommand
{
    public const string DefaultBaselines = "hpa,hpa-queue,gce,gce-lb";

    public static Command Create()
    {
        var inputs = new SimulationInputs();
        var attainment = new Option<double>("--attainment") { Description = "the share of feasible requests that must meet the SLO (default 0.99)", DefaultValueFactory = _ => 0.99 };
        var stack = new Option<string>("--stack") { Description = "the stack name the settings are for (default inference)", DefaultValueFactory = _ => "inference" };
        var baselines = new Option<string?>("--baselines") { Description = $"baselines tuned beside it (default {DefaultBaselines})" };
        var output = new Option<string?>("--out") { Description = "write the settings snippet to this file (KEY=value lines)" };
        var json = new Option<string?>("--json") { Description = "write every run as sweep JSON to this file" };
        var command = new Command("tune", "Find the cheapest ailb policy meeting an attainment on a trace, beside the tuned baselines; print it as app settings");
        inputs.AddTo(command);
        command.Options.Add(attainment);
        command.Options.Add(stack);
        command.Options.Add(baselines);
        command.Options.Add(output);
        command.Options.Add(json);
        command.SetAction(parse => CommandRunner.Run(parse, inputs.Common, context =>
        {
            var config = inputs.Resolve(parse, "tune");
            var stackName = parse.GetValue(stack)!;
            if (!AiLbAutoscaler.Core.Controller.StackNames.IsValid(stackName))
            {
                throw new ArgumentException($"--stack '{stackName}' is not a valid stack name: use letters, digits, '-', '_' and '.'.");
            }

            var names = PolicyCatalog.Default.Parse("ailb," + (parse.GetValue(baselines) ?? DefaultBaselines));
            var trace = SimulationInputs.TraceOf(config);
            var console = context.OutConsole();
            var aim = parse.GetValue(attainment);
            context.Note($"ailb tune: on {trace.Name} (rate ×{trace.RateScale:0.###}, seed {trace.Seed}) for {aim * 100:0.##} % of feasible requests within {config.Simulation.SloMs:0} ms");
            var result = Tuner.Run(SimulateCommand.Request(context, config, trace, names, timeline: false, progress: null), aim);

            var table = new Table().Border(TableBorder.Rounded).Title($"cheapest setting meeting {aim * 100:0.##} % feasible attainment · {Markup.Escape(trace.Name)}");
            foreach (var column in new[] { "policy", "setting", "feasible att.", "inst-hours", "vs ailb" })
            {
                table.AddColumn(new TableColumn(column).RightAligned());
            }

            if (result.Best is { } best)
            {
                table.AddRow("ailb", Markup.Escape(best.Point.Label), SweepPrinter.Pct(best.Point.Score.FeasibleAttainment), Hours(best.Point.Score.InstanceHours), "1.00×");
            }
            else
            {
                table.AddRow("ailb", "[red]none meets it[/]", "", "", "");
            }

            foreach (var m in result.Baselines)
            {
                if (m.Cheapest is { } c)
                {
                    table.AddRow(Markup.Escape(m.Policy), Markup.Escape(c.Label), SweepPrinter.Pct(c.Score.FeasibleAttainment), Hours(c.Score.InstanceHours),
                        m.CostRatio is double r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–");
                }
                else
                {
                    table.AddRow(Markup.Escape(m.Policy), "[red]none meets it[/]; best " + Markup.Escape(m.Best.Label), SweepPrinter.Pct(m.Best.Score.FeasibleAttainment), Hours(m.Best.Score.InstanceHours), "–");
                }
            }

            table.Caption($"{result.Sweep.Points.Count} runs in {result.Sweep.WallSeconds:0.0} s wall");
            console.Write(table);
            foreach (var warning in result.Sweep.MaxSizeWarnings())
            {
                context.Warn(warning);
            }

            if (parse.GetValue(json) is { } jsonPath)
            {
                AtomicFile.Write(jsonPath, s => SweepReport.WriteJson(result.Sweep, s));
                context.Note($"wrote {jsonPath}");
            }

            if (result.Best is null)
            {
                context.Err.WriteLine($"error: no ailb setting in the grid reaches {aim * 100:0.##} % of feasible requests within the SLO on this trace; no settings written.");
                return ExitCodes.Problem;
            }

            var snippet = TuneSnippet.Write(result.Best.Policy, stackName);
            console.WriteLine();
            console.WriteLine($"# app settings for stack '{stackName}' (set MinSize/MaxSize yourself):");
            console.Write(new Text(snippet));
            if (parse.GetValue(output) is { } outPath)
            {
                AtomicFile.Write(outPath, s =>
                {
                    using var writer = new StreamWriter(s, leaveOpen: true);
                    writer.Write(snippet);
                });
                context.Note($"wrote {outPath}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Hours(double h) => h.ToString("0.0", CultureInfo.InvariantCulture);
}
