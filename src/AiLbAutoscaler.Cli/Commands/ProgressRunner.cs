using AiLbAutoscaler.Simulation.Backtest;
using Spectre.Console;

namespace AiLbAutoscaler.Cli.Commands;

/// <summary>Runs a backtest with one progress bar per policy.</summary>
internal static class ProgressRunner
{
    public static BacktestResult Run(IAnsiConsole console, IReadOnlyList<string> policies, Func<Action<string, double>, BacktestRequest> withProgress)
    {
        BacktestResult? result = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var tasks = policies.ToDictionary(p => p, p => ctx.AddTask(p, maxValue: 1));
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
}
