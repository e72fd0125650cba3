using AiLbAutoscaler.Core.Audit;

namespace AiLbAutoscaler.Core.Ports;

/// <summary>One record per decision: what was seen, what was decided, why, and what happened.</summary>
public interface IAuditLog
{
    Task AppendAsync(AuditRecord record, CancellationToken cancellationToken);

    /// <summary>Records of one stack with <c>from ≤ At &lt; to</c>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditRecord>> QueryAsync(string stack, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes records older than <paramref name="before"/>; returns how many.</summary>
    Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
