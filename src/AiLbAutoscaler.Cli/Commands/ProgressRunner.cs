using AiLbAutoscaler.Cli.Conventions;
using AiLbAutoscaler.Simulation.Backtest;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>Runs a backtest with progress on stderr: the calibration first, then one bar per policy. Quiet: no progress.</summary>
internal static class ProgressRunner
{
    public static BacktestResult Run(CommandContext context, IReadOnlyList<string> policies, Func<Action<string, double>?, BacktestRequest> withProgress)
    {
        if (context.Quiet)
        {
            return BacktestRunner.Run(withProgress(null));
        }

        BacktestResult? result = null;
        var console = context.ErrConsole();
        if (!console.Profile.Capabilities.Interactive)
        {
            // Without a terminal the bars print now and then; say what runs first, which may be done before the first print.
            context.Note("calibration: sizing the static fleet for the busiest minute, then the policies run");
        }

        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var tasks = new[] { Calibration.ProgressName }.Concat(policies).ToDictionary(p => p, p => ctx.AddTask(p, maxValue: 1));
                var gate = new Lock();
                result = BacktestRunner.Run(withProgress((policy, fraction) =>
                {
                    lock (gate)
                    {
                        if (tasks.TryGetValue(policy, out var task))
                        {
                            task.Value = fraction;
                        }
                    }
                }));
                foreach (var task in tasks.Values)
                {
                    task.Value = 1;
                }
            });
        return result!;
    }

    /// <summary>Says in words what the numbers hide: a fleet or the calibration that stopped at MaxSize.</summary>
    public static void WarnAtMaxSize(CommandContext context, BacktestResult result)
    {
        if (result.CalibrationAtMaxSize)
        {
            context.Warn($"the calibration reached Simulation:MaxSize ({result.MaxSize}): the static fleet may be too small for the busiest minute, " +
                         "and the oracle with it. Raise Simulation:MaxSize in --config or lower --rate-scale.");
        }

        foreach (var policy in result.AtMaxSize)
        {
            context.Warn($"{policy} reached Simulation:MaxSize ({result.MaxSize}) instances: it wanted more than the group may hold, so its scores are capped by MaxSize.");
        }
    }
}
