using System.CommandLine;
using AiLbAutoscaler.Cli.Commands;

namespace AiLbAutoscaler.Cli;

/// <summary>The <c>ailb</c> root command. Each command lives in Commands/ and exposes <c>public static Command Create()</c>.</summary>
public static class Program
{
    public static int Main(string[] args) => BuildRoot().Parse(args).Invoke();

    public static RootCommand BuildRoot() => new("ailb: the AiLbAutoscaler command line (simulator, backtests, operations)")
    {
        SimulateCommand.Create(),
        BacktestCommand.Create(),
        MetricsCommand.Create(),
        HistoryCommand.Create(),
        RecordCommand.Create(),
    };
}
