using AiLbAutoscaler.Adapters.AzureStorage.Common;
using AiLbAutoscaler.Adapters.AzureStorage.Configuration;
using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Ports;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiLbAutoscaler.Adapters.AzureStorage.Audit;

/// <summary>
/// The audit trail in Azure Table Storage: one row per decision, partitioned by stack and keyed by time, so a stack's
/// decisions in a time range are one range query on one partition. Rows are only added, never changed.
/// </summary>
public sealed class AzureTableAuditLog(AzureStorageClients clients, ILogger<AzureTableAuditLog>? logger = null) : IAuditLog
{
    private const int MaxPageSize = 1000;
    private const int MaxBatch = 100;
    private readonly ILogger _logger = logger ?? NullLogger<AzureTableAuditLog>.Instance;

    public async Task AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entity = AuditEntity.ToEntity(record);
        var table = await clients.GetAuditTableAsync(cancellationToken);
        try
        {
            await StorageErrors.GuardAsync(() => table.AddEntityAsync(entity, cancellationToken), clients,
                $"append the audit record of stack '{record.Stack}' at {record.At:O} to table '{table.Name}'", table.Uri, cancellationToken);
        }
        catch (AzureStorageException ex) when (ex.InnerException is RequestFailedException { Status: 409, ErrorCode: "EntityAlreadyExists" })
        {
            // The row key is unique to this record: the SDK retried an add whose first attempt landed (its answer was lost).
            _logger.LogDebug("Audit record {Key} of stack {Stack} was already written", entity.RowKey, record.Stack);
        }
    }

    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(string stack, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var found = new List<AuditRecord>();
        if (limit == 0 || to <= from)
        {
            return found;
        }

        // A read never creates the table: one that does not exist yet holds no records.
        var table = clients.AuditTable;

        // RowKey = "<ticks>-<suffix>", so ">= from-ticks" keeps a row at exactly `from` and "< to-ticks" drops one at exactly `to`.
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {EntityProperties.StackKey(stack)} and RowKey ge {EntityProperties.SortableTime(from)} and RowKey lt {EntityProperties.SortableTime(to)}");
        await StorageErrors.GuardAsync(async () =>
        {
            try
            {
                await foreach (var entity in table.QueryAsync<TableEntity>(filter, Math.Min(limit, MaxPageSize), cancellationToken: cancellationToken))
                {
                    found.Add(AuditEntity.FromEntity(entity, table.Name));
                    if (found.Count >= limit)
                    {
                        break;
                    }
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404 && ex.ErrorCode == "TableNotFound")
            {
                found.Clear();
            }

            return found;
        }, clients, $"query the audit trail of stack '{stack}' in table '{table.Name}'", table.Uri, cancellationToken);

        return found;
    }

    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var table = await clients.GetAuditTableAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"RowKey lt {EntityProperties.SortableTime(before)}");
        var deleted = 0;
        await StorageErrors.GuardAsync(async () =>
        {
            var page = new List<TableEntity>();
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, MaxPageSize, ["PartitionKey", "RowKey"], cancellationToken))
            {
                page.Add(entity);
                if (page.Count == MaxPageSize)
                {
                    deleted += await DeleteAsync(table, page, cancellationToken);
                    page.Clear();
                }
            }

            deleted += await DeleteAsync(table, page, cancellationToken);
            return deleted;
        }, clients, $"prune the audit trail in table '{table.Name}'", table.Uri, cancellationToken);

        _logger.LogInformation("Pruned {Count} audit records older than {Before:O}", deleted, before);
        return deleted;
    }

    /// <summary>Deletes in transactions of up to 100 rows of one partition; rows someone else deleted meanwhile are skipped.</summary>
    private static async Task<int> DeleteAsync(TableClient table, List<TableEntity> rows, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var batch in rows.GroupBy(r => r.PartitionKey).SelectMany(g => g.Chunk(MaxBatch)))
        {
            try
            {
                await table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), cancellationToken);
                deleted += batch.Length;
            }
            catch (TableTransactionFailedException)
            {
                // One row of the batch was already gone: delete the rest one by one (a missing row is not an error here).
                foreach (var row in batch)
                {
                    var response = await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
                    deleted += response.Status == 204 ? 1 : 0;
                }
            }
        }

        return deleted;
    }
}
