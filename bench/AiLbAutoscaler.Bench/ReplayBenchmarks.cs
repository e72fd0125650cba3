using AiLbAutoscaler.Simulation;
using AiLbAutoscaler.Simulation.Policies;
using AiLbAutoscaler.Simulation.Traffic;
using BenchmarkDotNet.Attributes;

namespace AiLbAutoscaler.Bench;

/// <summary>One single-policy replay of a two-hour steady scenario at 100 requests per second (720,000 requests).</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ReplayBenchmarks
{
    private readonly SimulationOptions _options = new();
    private TraceSpec _trace = null!;
    private PolicyEnvironment _env = null!;

    [Params("static", "ailb")]
    public string Policy { get; set; } = "static";

    [GlobalSetup]
    public void Setup()
    {
        _trace = TraceSpec.FromScenario(Scenarios.Steady, 5, 42, 20);
        var profile = _trace.MinuteProfile();
        _env = new PolicyEnvironment { Options = _options, MinuteProfile = profile, Capacity = new Capacity(0, 100, 20, 5), Seed = 42 };
    }

    [Benchmark]
    public long Replay()
    {
        var result = Simulator.Run(_trace, PolicyCatalog.Default.Create(Policy, _env), _options, new RunSettings { EndMinute = _env.MinuteProfile.Length });
        return result.Score.Served;
    }
}
