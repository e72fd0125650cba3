using System.Diagnostics;
using System.Globalization;
using AiLbAutoscaler.Bench;
using AiLbAutoscaler.Simulation;
using AiLbAutoscaler.Simulation.Backtest;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Traffic;
using BenchmarkDotNet.Running;

// `replay <trace.csv> [rate-scale] [policy]` times one single-policy replay and prints requests per wall-second and
// peak memory (bench/replay-servegen.sh); `fanout [--stacks 500] [--scale 100] [--resize 1.0] [--seed 42]` times queue
// against inline dispatch (docs/functions.md); anything else goes to BenchmarkDotNet.
if (args.Length >= 1 && args[0] == "fanout")
{
    return FanOutBench.Run(args);
}

if (args.Length >= 2 && args[0] == "replay")
{
    var path = args[1];
    var scale = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 1;
    var policyName = args.Length > 3 ? args[3] : "ailb";
    return Replay.Run(path, scale, policyName);
}

// `tick-load [stacks] [rounds]` times TickAll over many stacks against WireMock and Azurite (bench/tick-load.sh).
if (args.Length >= 1 && args[0] == "tick-load")
{
    var stacks = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
    var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
    return await TickLoad.RunAsync(stacks, rounds);
}

BenchmarkSwitcher.FromAssembly(typeof(Replay).Assembly).Run(args);
return 0;

namespace AiLbAutoscaler.Bench
{
    public static class Replay
    {
        public static int Run(string path, double scale, string policyName)
        {
            var options = new SimulationOptions();
            var trace = TraceSpec.FromFile(path, scale, 42, options.Tokens);
            var setup = Stopwatch.StartNew();
            var env = BacktestRunner.Prepare(new BacktestRequest { Trace = trace, Policies = [policyName], Options = options });
            var profile = env.MinuteProfile;
            setup.Stop();
            var policy = PolicyCatalog.Default.Create(policyName, env);
            var result = Simulator.Run(trace, policy, options, new RunSettings { EndMinute = profile.Length });
            var s = result.Score;
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            Console.WriteLine($"trace                     {Path.GetFileName(path)} × {scale.ToString(CultureInfo.InvariantCulture)}");
            Console.WriteLine($"policy                    {s.Policy}");
            Console.WriteLine($"simulated                 {s.SimSeconds / 86400:0.##} days");
            Console.WriteLine($"requests                  {s.Requests:N0} (served {s.Served:N0}, dropped {s.Dropped:N0})");
            Console.WriteLine($"setup (profile, sizing, oracle plan) {setup.Elapsed.TotalSeconds:0.00} s");
            Console.WriteLine($"replay wall time          {s.WallSeconds:0.00} s");
            Console.WriteLine($"requests per wall-second  {s.RequestsPerWallSecond:N0}");
            Console.WriteLine($"peak working set          {self.PeakWorkingSet64 / (1024.0 * 1024):0} MiB");
            Console.WriteLine($"managed heap after run    {GC.GetTotalMemory(false) / (1024.0 * 1024):0} MiB");
            Console.WriteLine($"SLO attainment            {s.FeasibleAttainment * 100:0.00} % of feasible ({s.SloAttainment * 100:0.00} % raw), instance-hours {s.InstanceHours:0.0}, peak {s.PeakInstances}");
            return 0;
        }
    }
}
