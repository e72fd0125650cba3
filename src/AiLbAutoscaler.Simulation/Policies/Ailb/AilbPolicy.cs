using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Simulation.Actuation;
using AiLbAutoscaler.Simulation.Backtest;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiLbAutoscaler.Simulation.Policies.Ailb;

/// <summary>
/// This project's policy: the real <see cref="AutoscaleController"/> and <see cref="DecisionEngine"/>, driven through the
/// Core ports — in-memory state and lock, a bounded in-memory audit trail, a simulated metrics source over the delayed
/// per-minute pipeline, and a simulated Pulumi actuator with its update delay and failure probability — on the
/// simulator's clock.
/// </summary>
public sealed class AilbPolicy : ISimPolicy, IDisposable
{
    public const string PolicyName = "ailb";
    private const string Stack = "sim";

    private readonly AutoscaleController _controller;
    private readonly SimMetricsSource _metrics;
    private readonly SimPulumiActuator _actuator;
    private readonly InMemoryAuditLog _audit = new(keep: 200); // a two-week run must not grow with its length
    private readonly InstrumentRecorder? _recorder;
    private ISimulatedGroup? _group;

    /// <param name="recordInstruments">Keep the controller's metrics on the simulated clock (<see cref="Instruments"/>).</param>
    public AilbPolicy(ScalingPolicy policy, SimulationOptions options, int initialSize, ulong seed, bool recordInstruments = false)
    {
        var errors = ScalingPolicyValidator.Validate(policy, "Ailb:Policy");
        if (errors.Count > 0)
        {
            throw new ArgumentException("The ailb policy is not valid: " + string.Join(" ", errors));
        }

        Policy = policy;
        InitialSize = initialSize;
        TickSeconds = options.ControllerTick;
        var time = new SimTimeProvider(() => _group?.Now ?? 0);
        _recorder = recordInstruments ? new InstrumentRecorder(() => _group?.Now ?? 0) : null;
        _metrics = new SimMetricsSource();
        _actuator = new SimPulumiActuator(options.Pulumi, SimRandom.For(seed, "pulumi"), initialSize);
        var autoscaler = new AutoscalerOptions();
        autoscaler.Stacks[Stack] = new StackOptions { Policy = policy };
        _controller = new AutoscaleController(
            new StaticOptionsMonitor<AutoscalerOptions>(autoscaler),
            new DecisionEngine(time),
            _metrics,
            _actuator,
            new InMemoryStackStateStore(),
            new InMemoryStackLock(),
            _audit,
            time,
            NullLogger<AutoscaleController>.Instance,
            _recorder?.Telemetry);
    }

    public string Name => PolicyName;

    public ScalingPolicy Policy { get; }

    public double TickSeconds { get; }

    public int InitialSize { get; }

    public int? Desired => _actuator.StackSize;

    /// <summary>Pulumi updates applied and failed.</summary>
    public (int Applied, int Failed) Updates => (_actuator.Updates, _actuator.Failures);

    /// <summary>The newest audit records (decisions with their explanations).</summary>
    public IReadOnlyCollection<AuditRecord> RecentDecisions => _audit.Records;

    /// <summary>The controller's instruments over the run, when recorded; else empty.</summary>
    public IReadOnlyList<InstrumentPoint> Instruments => _recorder?.Points ?? [];

    public void Dispose() => _recorder?.Dispose();

    public void Tick(ISimulatedGroup group)
    {
        _group = group;
        _metrics.Group = group;
        _actuator.Group = group;

        // Every port here completes synchronously, so the task is already done.
        var result = _controller.TickAsync(Stack, DecisionTrigger.Simulation, CancellationToken.None).GetAwaiter().GetResult();
        if (result.Outcome == TickOutcome.Failed)
        {
            throw new InvalidOperationException($"The controller's tick failed at {group.Now:0} s: {result.Error}");
        }
    }
}
