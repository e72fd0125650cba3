using System.CommandLine;
using AiLbAutoscaler.Cli.Commands;
using AiLbAutoscaler.Cli.Conventions;

namespace AiLbAutoscaler.Cli;

/// <summary>
/// The <c>ailb</c> root command. Each command lives in Commands/ and exposes <c>public static Command Create()</c>;
/// its action runs through <see cref="CommandRunner"/>, which keeps the exit-code and output contract (docs/cli.md).
/// </summary>
public static class Program
{
    public static int Main(string[] args) => CommandRunner.Invoke(BuildRoot(), args);

    public static RootCommand BuildRoot() => new("ailb: the AiLbAutoscaler command line (simulator, backtests, operations)")
    {
        SimulateCommand.Create(),
        BacktestCommand.Create(),
        SweepCommand.Create(),
        TuneCommand.Create(),
        AimsCommand.Create(),
        MetricsCommand.Create(),
        HistoryCommand.Create(),
        RecordCommand.Create(),
    };
}
