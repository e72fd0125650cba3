using System.CommandLine;
using AiLbAutoscaler.Cli.Conventions;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Sweep;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>
/// <c>ailb aims (--trace &lt;csv&gt; | --scenario &lt;name&gt;) [--seed N] [--json &lt;file&gt;|-] [-o json]</c>: issue 12's four aims on
/// one trace and seed, each passed, failed or not applicable, from ailb at its default, the oracle and every baseline's
/// sweep grid. Exit 1 when an aim fails.
/// </summary>
public static class AimsCommand
{
    public static Command Create()
    {
        var inputs = new SimulationInputs();
        var json = new Option<string?>("--json") { Description = "write the verdicts as JSON to this file ('-' for stdout, as -o json)" };
        var sweepJson = new Option<string?>("--sweep-json") { Description = "also write every run of the sweep, as ailb sweep --json does" };
        var command = new Command("aims", "Judge ailb against issue 12's aims on one trace: reliability, spike recovery, cost against the tuned baselines, calm");
        inputs.AddTo(command);
        command.Options.Add(json);
        command.Options.Add(sweepJson);
        command.SetAction(parse => CommandRunner.Run(parse, inputs.Common, context =>
        {
            var config = inputs.Resolve(parse, "aims");
            var jsonPath = parse.GetValue(json);
            var toStdout = context.Json || jsonPath == OutputPaths.Stdout;
            if (jsonPath is not null && jsonPath != OutputPaths.Stdout)
            {
                OutputPaths.CheckFile(jsonPath, "--json");
            }

            var sweepPath = parse.GetValue(sweepJson);
            if (sweepPath is not null)
            {
                OutputPaths.CheckFile(sweepPath, "--sweep-json");
            }

            var trace = SimulationInputs.TraceOf(config);
            context.Note($"ailb aims: ailb's default, the oracle and each baseline's grid on {trace.Name} (rate ×{trace.RateScale:0.###}, seed {trace.Seed})");
            var sweep = Aims.Sweep(SimulateCommand.Request(context, config, trace, Aims.Policies, timeline: false, progress: null));
            var verdicts = Aims.Judge(sweep);
            if (toStdout)
            {
                using var stdout = new MemoryStream();
                Aims.WriteJson(sweep, verdicts, stdout);
                context.Out.WriteLine(System.Text.Encoding.UTF8.GetString(stdout.ToArray()));
            }
            else
            {
                var table = new Table().Border(TableBorder.Rounded)
                    .Title($"issue 12's aims · {Markup.Escape(sweep.Trace)} · seed {sweep.Seed} · SLO {sweep.SloMs:0} ms TTFT, target {sweep.SloTarget * 100:0.##} %");
                table.AddColumn("aim");
                table.AddColumn("verdict");
                table.AddColumn("numbers");
                foreach (var v in verdicts)
                {
                    var status = v.Passed switch { true => "[green]pass[/]", false => "[red]fail[/]", null => "n/a" };
                    table.AddRow($"{v.Aim} {v.Name}", status, Markup.Escape(v.Detail));
                }

                table.Caption($"{sweep.Points.Count} runs in {sweep.WallSeconds:0.0} s wall");
                var console = context.OutConsole();
                console.Write(table);
            }

            foreach (var warning in sweep.MaxSizeWarnings())
            {
                context.Warn(warning);
            }

            if (jsonPath is not null && jsonPath != OutputPaths.Stdout)
            {
                AtomicFile.Write(jsonPath, s => Aims.WriteJson(sweep, verdicts, s));
                context.Note($"wrote {jsonPath}");
            }

            if (sweepPath is not null)
            {
                AtomicFile.Write(sweepPath, s => SweepReport.WriteJson(sweep, s));
                context.Note($"wrote {sweepPath}");
            }

            return verdicts.Any(v => v.Passed == false) ? ExitCodes.Problem : ExitCodes.Ok;
        }));
        return command;
    }
}
