using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Ports;

namespace AiLbAutoscaler.Core.InMemory;

/// <summary>
/// An audit trail in process memory. For tests and the simulator; with <paramref name="keep"/> it holds only the newest
/// records, so a long simulation does not grow with its length.
/// </summary>
public sealed class InMemoryAuditLog(int? keep = null) : IAuditLog
{
    private readonly List<AuditRecord> _records = [];
    private readonly Lock _gate = new();

    /// <summary>The records held now, oldest first.</summary>
    public IReadOnlyList<AuditRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    public Task AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _records.Add(record);
            if (keep is int most && _records.Count > most)
            {
                _records.RemoveRange(0, _records.Count - most);
            }
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
