using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Ports;

namespace AiLbAutoscaler.Core.InMemory;

/// <summary>An audit trail in process memory. For tests and the simulator.</summary>
public sealed class InMemoryAuditLog : IAuditLog
{
    private readonly List<AuditRecord> _records = [];
    private readonly Lock _gate = new();

    public Task AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _records.Add(record);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditRecord>> QueryAsync(string stack, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<AuditRecord> found = _records
                .Where(r => string.Equals(r.Stack, stack, StringComparison.OrdinalIgnoreCase) && r.At >= from && r.At < to)
                .OrderBy(r => r.At)
                .Take(limit)
                .ToList();
            return Task.FromResult(found);
        }
    }

    public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_records.RemoveAll(r => r.At < before));
        }
    }
}
