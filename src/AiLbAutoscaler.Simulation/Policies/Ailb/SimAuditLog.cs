using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Ports;

namespace AiLbAutoscaler.Simulation.Policies.Ailb;

/// <summary>An in-memory audit trail that keeps only the newest records, so that a two-week run does not grow with its length.</summary>
internal sealed class SimAuditLog(int keep = 200) : IAuditLog
{
    private readonly Queue<AuditRecord> _records = new();

    public long Total { get; private set; }

    public IReadOnlyCollection<AuditRecord> Recent => _records;

    public Task AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        Total++;
        _records.Enqueue(record);
        if (_records.Count > keep)
        {
            _records.Dequeue();
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditRecord>> QueryAsync(string stack, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        IReadOnlyList<AuditRecord> found = [.. _records.Where(r => r.At >= from && r.At < to).Take(limit)];
        return Task.FromResult(found);
    }

    public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken) => Task.FromResult(0);
}

internal sealed class StaticOptionsMonitor<T>(T value) : Microsoft.Extensions.Options.IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
