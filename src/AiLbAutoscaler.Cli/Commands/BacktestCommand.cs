using System.CommandLine;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>
/// <c>ailb backtest (--trace &lt;csv&gt; | --scenario &lt;name&gt;) [--policies …] [--slo-ms N] [--rate-scale X] [--seed N]
/// [--json &lt;file&gt;] [--plot &lt;png&gt;] [--html &lt;file&gt;]</c>: the policies side by side on the same trace and seed, one table.
/// </summary>
public static class BacktestCommand
{
    public static Command Create()
    {
        var inputs = new SimulationInputs();
        var policies = new Option<string?>("--policies") { Description = $"comma-separated policies (default {string.Join(",", PolicyCatalog.Names)})" };
        var json = new Option<string?>("--json") { Description = "write the results as JSON to this file" };
        var plot = new Option<string?>("--plot") { Description = "write a PNG chart of every policy's fleet and p95 TTFT" };
        var html = new Option<string?>("--html") { Description = "write a self-contained HTML report: scores, charts, the controller's instruments" };
        var command = new Command("backtest", "Compare scaling policies on one trace (ailb, hpa, gce, static, oracle)");
        inputs.AddTo(command);
        command.Options.Add(policies);
        command.Options.Add(json);
        command.Options.Add(plot);
        command.Options.Add(html);
        command.SetAction(parse => SimulationInputs.Guard(parse, () =>
        {
            var config = inputs.Resolve(parse, defaultScenario: null);
            var names = PolicyCatalog.Parse(parse.GetValue(policies) ?? config.Policies ?? string.Join(",", PolicyCatalog.Names));
            var jsonPath = parse.GetValue(json);
            var plotPath = parse.GetValue(plot);
            var htmlPath = parse.GetValue(html);
            var trace = SimulationInputs.TraceOf(config);
            var console = SimulationInputs.ConsoleFor(parse);
            console.MarkupLine($"[bold]ailb backtest[/]: {string.Join(", ", names)} on [blue]{Markup.Escape(trace.Name)}[/] (rate ×{trace.RateScale:0.###}, seed {trace.Seed})");
            var timeline = plotPath is not null || htmlPath is not null;
            var result = ProgressRunner.Run(console, names, progress => SimulateCommand.Request(config, trace, names, timeline, progress, recordInstruments: htmlPath is not null));
            console.Write(ScoreTable.Build(result));
            if (jsonPath is not null)
            {
                AtomicFile.Write(jsonPath, s => BacktestReport.WriteJson(result, s));
                console.MarkupLine($"wrote [blue]{Markup.Escape(jsonPath)}[/]");
            }

            if (plotPath is not null)
            {
                TimelineChart.Save(plotPath, [.. result.Runs.Select(r => (r.Score.Policy, r.Timeline))], result.SloMs, $"backtest on {trace.Name}");
                console.MarkupLine($"wrote [blue]{Markup.Escape(plotPath)}[/]");
            }

            if (htmlPath is not null)
            {
                var page = BacktestHtmlReport.Render(result);
                AtomicFile.Write(htmlPath, s => s.Write(System.Text.Encoding.UTF8.GetBytes(page)));
                console.MarkupLine($"wrote [blue]{Markup.Escape(htmlPath)}[/]");
            }

            return 0;
        }));
        return command;
    }
}
