using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Core.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Core.Tests.Support;

/// <summary>
/// A controller wired to the in-memory ports, with a fake clock. A test may wrap any port in a decorator that injects a
/// fault (a conflict, an exception) before the controller is built.
/// </summary>
internal sealed class ControllerHarness
{
    public ControllerHarness(
        IReadOnlyDictionary<string, ScalingPolicy> policies,
        Func<IStackStateStore, IStackStateStore>? wrapStore = null,
        Func<IMetricsSource, IMetricsSource>? wrapMetrics = null,
        Func<IFleetActuator, IFleetActuator>? wrapActuator = null,
        Func<IAuditLog, IAuditLog>? wrapAudit = null,
        Func<IStackLock, IStackLock>? wrapLocks = null,
        TimeProvider? time = null)
    {
        Options = new AutoscalerOptions();
        foreach (var (stack, policy) in policies)
        {
            Options.Stacks[stack] = new StackOptions { Policy = policy };
        }

        Store = wrapStore?.Invoke(InnerStore) ?? InnerStore;
        var actuator = wrapActuator?.Invoke(Actuator) ?? Actuator;
        var audit = wrapAudit?.Invoke(Audit) ?? Audit;
        Controller = new AutoscaleController(
            new StaticOptionsMonitor<AutoscalerOptions>(Options),
            new DecisionEngine(time ?? Clock),
            wrapMetrics?.Invoke(Metrics) ?? Metrics,
            actuator,
            Store,
            wrapLocks?.Invoke(Locks) ?? Locks,
            audit,
            time ?? Clock,
            NullLogger<AutoscaleController>.Instance);
        Queries = new StackQueries(new StaticOptionsMonitor<AutoscalerOptions>(Options), actuator, Store, audit, time ?? Clock);
    }

    public ControllerHarness(ScalingPolicy policy, string stack = "svc")
        : this(new Dictionary<string, ScalingPolicy> { [stack] = policy })
    {
    }

    public FakeTimeProvider Clock { get; } = Fixtures.Clock();

    public InMemoryMetricsSource Metrics { get; } = new();

    public InMemoryFleetActuator Actuator { get; } = new(initialSize: 1);

    public InMemoryStackStateStore InnerStore { get; } = new();

    public IStackStateStore Store { get; }

    public InMemoryStackLock Locks { get; } = new();

    public InMemoryAuditLog Audit { get; } = new();

    public AutoscalerOptions Options { get; }

    public AutoscaleController Controller { get; }

    /// <summary>Status, history and prune over the same ports as <see cref="Controller"/>.</summary>
    public StackQueries Queries { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Sets the signals the metrics port returns for <paramref name="stack"/>, stamped now.</summary>
    public void Observe(string stack, params (string Signal, double Value)[] readings) =>
        Metrics.Set(stack, [.. readings.Select(r => SignalReading.Of(r.Signal, r.Value, Now))]);

    public async Task<StackState> StateAsync(string stack = "svc") => (await InnerStore.LoadAsync(stack, default)).State;

    public async Task<int> SizeAsync(string stack = "svc") => await Actuator.GetCurrentSizeAsync(stack, default);

    public async Task<IReadOnlyList<AuditRecord>> AuditTrailAsync(string stack = "svc") =>
        await Audit.QueryAsync(stack, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, int.MaxValue, default);
}

/// <summary>
/// A state store decorator that lets another writer win exactly once: on the first save it writes
/// <c>otherWriter(current)</c> itself, so the controller's save meets a changed version and gets a conflict.
/// </summary>
internal sealed class ConflictOnceStateStore(IStackStateStore inner, Func<StackState, StackState> otherWriter) : IStackStateStore
{
    public int Conflicts { get; private set; }

    public Task<VersionedStackState> LoadAsync(string stack, CancellationToken cancellationToken) => inner.LoadAsync(stack, cancellationToken);

    public async Task<string> SaveAsync(string stack, StackState state, string? expectedVersion, CancellationToken cancellationToken)
    {
        if (Conflicts == 0)
        {
            var current = await inner.LoadAsync(stack, cancellationToken);
            await inner.SaveAsync(stack, otherWriter(current.State), current.Version, cancellationToken);
            try
            {
                return await inner.SaveAsync(stack, state, expectedVersion, cancellationToken);
            }
            catch (StateConflictException)
            {
                Conflicts++;
                throw;
            }
        }

        return await inner.SaveAsync(stack, state, expectedVersion, cancellationToken);
    }
}

/// <summary>A state store decorator that fails every load of one stack, as a broken table partition would.</summary>
internal sealed class FailingStateStore(IStackStateStore inner, string failingStack) : IStackStateStore
{
    public Task<VersionedStackState> LoadAsync(string stack, CancellationToken cancellationToken) =>
        string.Equals(stack, failingStack, StringComparison.OrdinalIgnoreCase)
            ? throw new InvalidOperationException($"state of '{stack}' is unreadable")
            : inner.LoadAsync(stack, cancellationToken);

    public Task<string> SaveAsync(string stack, StackState state, string? expectedVersion, CancellationToken cancellationToken) =>
        inner.SaveAsync(stack, state, expectedVersion, cancellationToken);
}

/// <summary>A metrics source that breaks the port's promise not to throw.</summary>
internal sealed class ThrowingMetricsSource : IMetricsSource
{
    public Task<Observation> ObserveAsync(string stack, CancellationToken cancellationToken) =>
        throw new HttpRequestException("monitoring.googleapis.com unreachable");
}

/// <summary>An actuator that cannot read the current size (the stack's outputs are unreadable).</summary>
internal sealed class BlindActuator(IFleetActuator inner) : IFleetActuator
{
    public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("pulumi stack output failed");

    public Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken) =>
        inner.ApplyAsync(stack, desiredSize, reason, cancellationToken);
}

/// <summary>An audit log that refuses every write.</summary>
internal sealed class FailingAuditLog(IAuditLog inner) : IAuditLog
{
    public Task AppendAsync(AuditRecord record, CancellationToken cancellationToken) =>
        throw new IOException("audit table unavailable");

    public Task<IReadOnlyList<AuditRecord>> QueryAsync(string stack, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        inner.QueryAsync(stack, from, to, limit, cancellationToken);

    public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken) => inner.PruneAsync(before, cancellationToken);
}

/// <summary>An actuator whose apply throws (the port should report Failed, but an adapter may not).</summary>
internal sealed class ThrowingApplyActuator(IFleetActuator inner) : IFleetActuator
{
    public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) => inner.GetCurrentSizeAsync(stack, cancellationToken);

    public Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("pulumi up exited with code 255");
}
