using System.CommandLine;
using AiLbAutoscaler.Cli.Conventions;
using System.Globalization;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Sweep;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>
/// <c>ailb sweep (--trace &lt;csv&gt; | --scenario &lt;name&gt;) [--policies …] [--json &lt;file&gt;] [--plot &lt;png&gt;]</c>: each policy over
/// a grid of its main knob, in parallel; per policy its Pareto front, and per baseline the cheapest setting that matches
/// ailb's default.
/// </summary>
public static class SweepCommand
{
    public const string DefaultPolicies = "ailb,hpa,hpa-queue,gce,gce-lb,oracle";

    public static Command Create()
    {
        var inputs = new SimulationInputs();
        var policies = new Option<string?>("--policies") { Description = $"comma-separated policies (default {DefaultPolicies}); fixed ones (static, oracle) run once" };
        var json = new Option<string?>("--json") { Description = "write every run, the fronts and the matches as JSON to this file" };
        var plot = new Option<string?>("--plot") { Description = "write a PNG scatter: one colour per policy, fronts as lines, ailb's default marked" };
        var html = new Option<string?>("--html") { Description = "write a self-contained HTML report: the fronts as a chart and a table, and each baseline's match" };
        var command = new Command("sweep", "Sweep each policy's main knob on one trace: Pareto fronts and the cheapest baseline setting matching ailb");
        inputs.AddTo(command);
        command.Options.Add(policies);
        command.Options.Add(json);
        command.Options.Add(plot);
        command.Options.Add(html);
        command.SetAction(parse => CommandRunner.Run(parse, inputs.Common, context =>
        {
            var config = inputs.Resolve(parse, "sweep");
            var names = Simulation.Policies.PolicyCatalog.Default.Parse(parse.GetValue(policies) ?? DefaultPolicies);
            var htmlPath = parse.GetValue(html);
            if (htmlPath is not null)
            {
                OutputPaths.CheckFile(htmlPath, "--html");
            }

            var trace = SimulationInputs.TraceOf(config);
            var console = context.OutConsole();
            var runs = names.Sum(n => SweepKnobs.Has(n) ? SweepKnobs.For(n).Grid.Count : 1);
            context.Note($"ailb sweep: {runs} runs of {string.Join(", ", names)} on {trace.Name} (rate ×{trace.RateScale:0.###}, seed {trace.Seed}), {Environment.ProcessorCount} cores");
            var result = SweepRunner.Run(SimulateCommand.Request(context, config, trace, names, timeline: false, progress: null));
            SweepPrinter.Print(context, console, result);
            if (parse.GetValue(json) is { } jsonPath)
            {
                AtomicFile.Write(jsonPath, s => SweepReport.WriteJson(result, s));
                context.Note($"wrote {jsonPath}");
            }

            if (parse.GetValue(plot) is { } plotPath)
            {
                SweepChart.Save(plotPath, result, $"sweep on {trace.Name} (rate ×{trace.RateScale:0.###}, seed {trace.Seed})");
                context.Note($"wrote {plotPath}");
            }

            if (htmlPath is not null)
            {
                var page = SweepHtmlReport.Render(result);
                AtomicFile.Write(htmlPath, s =>
                {
                    using var writer = new StreamWriter(s, leaveOpen: true);
                    writer.Write(page);
                });
                context.Note($"wrote {htmlPath}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}

/// <summary>Prints a sweep: each policy's front, the matches against ailb's default, and any MaxSize hit.</summary>
internal static class SweepPrinter
{
    public static void Print(CommandContext context, IAnsiConsole console, SweepResult result)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"Pareto fronts · {Markup.Escape(result.Trace)} · SLO {result.SloMs:0} ms TTFT · {result.SimSeconds / 3600:0.#} h simulated");
        foreach (var column in new[] { "policy", "setting", "feasible att.", "raw att.", "inst-hours", "peak", "max-size hits", "recovery s" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var policy in result.Policies)
        {
            foreach (var p in result.FrontOf(policy))
            {
                table.AddRow(
                    Markup.Escape(policy),
                    Markup.Escape(p.Label) + (p.IsDefault && p.Knob != "" ? " (default)" : ""),
                    Pct(p.Score.FeasibleAttainment),
                    Pct(p.Score.SloAttainment),
                    p.Score.InstanceHours.ToString("0.0", CultureInfo.InvariantCulture),
                    p.Score.PeakInstances.ToString(CultureInfo.InvariantCulture),
                    p.Score.MaxSizeHits.ToString(CultureInfo.InvariantCulture),
                    ScoreColumns.Recovery(p.Score));
            }
        }

        var feasible = result.Points.Count > 0 ? result.Points[0].Score.FeasibleShare : 1;
        table.Caption($"{result.Requests:N0} requests per run, {feasible * 100:0.0} % feasible · {result.Points.Count} runs in {result.WallSeconds:0.0} s wall · " +
                      $"{result.RequestsPerWallSecond:N0} requests replayed per wall-second");
        console.Write(table);

        if (result.Reference is { } r)
        {
            console.MarkupLine($"ailb default: {Pct(r.Score.FeasibleAttainment)} feasible attainment at {r.Score.InstanceHours:0.0} instance-hours");
            foreach (var m in result.Matches)
            {
                console.MarkupLine(Markup.Escape(MatchLine(m)));
            }
        }

        foreach (var warning in result.MaxSizeWarnings())
        {
            context.Warn(warning);
        }
    }

    public static string MatchLine(SweepMatch m) => m.Cheapest is { } c
        ? $"{m.Policy}: cheapest setting with feasible attainment ≥ ailb's is {c.Label}: {Pct(c.Score.FeasibleAttainment)} at {c.Score.InstanceHours:0.0} instance-hours = {m.CostRatio:0.00}× ailb's"
        : $"{m.Policy}: no setting reaches ailb's feasible attainment; its best is {m.Best.Label}: {Pct(m.Best.Score.FeasibleAttainment)} at {m.Best.Score.InstanceHours:0.0} instance-hours";

    public static string Pct(double v) => (v * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %";
}
