using System.CommandLine;
using AiLbAutoscaler.Cli.Conventions;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>
/// <c>ailb backtest [--trace &lt;csv&gt; | --scenario &lt;name&gt;] [--policies …] [--slo-ms N] [--rate-scale X] [--seed N]
/// [--json &lt;file&gt;|-] [--plot &lt;image&gt;] [--html &lt;file&gt;] [--window FROM..TO] [-o json] [-q] [--wide]</c>: the policies side by side on
/// the same trace and seed, one table.
/// </summary>
public static class BacktestCommand
{
    public static Command Create()
    {
        var inputs = new SimulationInputs();
        var policies = new Option<string?>("--policies") { Description = $"comma-separated policies (default {string.Join(",", PolicyCatalog.Default.Names)})" };
        var json = new Option<string?>("--json") { Description = "write the results as JSON to this file ('-' for stdout, as -o json)" };
        var plot = new Option<string?>("--plot") { Description = "write a chart of every policy's fleet and p95 TTFT (.png, .jpg, .bmp or .webp)" };
        var html = new Option<string?>("--html") { Description = "write a self-contained HTML report: scores, charts, the controller's instruments" };
        var command = new Command("backtest", "Compare scaling policies on one trace (ailb, hpa, gce, static, oracle)");
        inputs.AddTo(command);
        command.Options.Add(policies);
        command.Options.Add(json);
        command.Options.Add(plot);
        command.Options.Add(html);
        command.SetAction(parse => CommandRunner.Run(parse, inputs.Common, context =>
        {
            var config = inputs.Resolve(parse, "backtest");
            var names = PolicyCatalog.Default.Parse(parse.GetValue(policies) ?? config.Policies ?? string.Join(",", PolicyCatalog.Default.Names));
            var jsonPath = parse.GetValue(json);
            var toStdout = context.Json || jsonPath == OutputPaths.Stdout;
            if (jsonPath is not null && jsonPath != OutputPaths.Stdout)
            {
                OutputPaths.CheckFile(jsonPath, "--json");
            }

            var plotPath = parse.GetValue(plot);
            if (plotPath is not null)
            {
                if (TimelineChart.CheckPath(plotPath) is { } problem)
                {
                    throw new UsageException($"--plot: {problem}");
                }

                OutputPaths.CheckFile(plotPath, "--plot");
            }

            var htmlPath = parse.GetValue(html);
            if (htmlPath is not null)
            {
                OutputPaths.CheckFile(htmlPath, "--html");
            }

            var window = inputs.WindowOf(parse);
            var trace = SimulationInputs.TraceOf(config);
            context.Note($"ailb backtest: {string.Join(", ", names)} on {trace.Name} (rate ×{trace.RateScale:0.###}, seed {trace.Seed})");
            var result = ProgressRunner.Run(context, names, progress => SimulateCommand.Request(context, config, trace, names,
                plotPath is not null || htmlPath is not null, progress, recordInstruments: htmlPath is not null));
            ProgressRunner.WarnAtMaxSize(context, result);
            if (toStdout)
            {
                context.Out.WriteLine(BacktestReport.ToJson(result));
            }
            else
            {
                ScoreTable.Print(context, result, parse.GetValue(inputs.Wide));
            }

            if (jsonPath is not null && jsonPath != OutputPaths.Stdout)
            {
                AtomicFile.Write(jsonPath, s => BacktestReport.WriteJson(result, s));
                context.Note($"wrote {jsonPath}");
            }

            if (plotPath is not null)
            {
                TimelineChart.Save(plotPath, [.. result.Runs.Select(r => (r.Score.Policy, r.Timeline))], result.SloMs, $"backtest on {trace.Name}", window);
                context.Note($"wrote {plotPath}");
            }

            if (htmlPath is not null)
            {
                var page = BacktestHtmlReport.Render(result);
                AtomicFile.Write(htmlPath, s => s.Write(System.Text.Encoding.UTF8.GetBytes(page)));
                context.Note($"wrote {htmlPath}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
