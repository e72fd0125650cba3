using AiLbAutoscaler.Adapters.AzureStorage.Common;
using AiLbAutoscaler.Adapters.AzureStorage.Configuration;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.State;
using Azure;
using Azure.Data.Tables;

namespace AiLbAutoscaler.Adapters.AzureStorage.State;

/// <summary>
/// Per-stack state in Azure Table Storage, one entity per stack, with the entity's ETag as the version. A write names the
/// ETag it read (or none, to create), so a concurrent writer is detected by the service and reported as a
/// <see cref="StateConflictException"/>; the controller then re-reads and merges (see <see cref="StateMerge"/>).
/// </summary>
public sealed class AzureTableStackStateStore(AzureStorageClients clients) : IStackStateStore
{
    public async Task<VersionedStackState> LoadAsync(string stack, CancellationToken cancellationToken)
    {
        var key = EntityProperties.StackKey(stack);
        var table = await clients.GetStateTableAsync(cancellationToken);
        var found = await StorageErrors.GuardAsync(
            () => table.GetEntityIfExistsAsync<TableEntity>(key, StackStateEntity.RowKey, cancellationToken: cancellationToken),
            clients, $"read the state of stack '{stack}' from table '{table.Name}'", table.Uri, cancellationToken);

        return found.HasValue && found.Value is { } entity
            ? new VersionedStackState(StackStateEntity.FromEntity(entity, table.Name), entity.ETag.ToString())
            : new VersionedStackState(StackState.Empty, null);
    }

    public async Task<string> SaveAsync(string stack, StackState state, string? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var entity = StackStateEntity.ToEntity(stack, state);
        var table = await clients.GetStateTableAsync(cancellationToken);
        try
        {
            var response = await StorageErrors.GuardAsync(
                () => expectedVersion is null
                    ? table.AddEntityAsync(entity, cancellationToken)
                    : table.UpdateEntityAsync(entity, new ETag(expectedVersion), TableUpdateMode.Replace, cancellationToken),
                clients, $"save the state of stack '{stack}' to table '{table.Name}'", table.Uri, cancellationToken);
            return response.Headers.ETag?.ToString()
                ?? throw new InvalidOperationException($"Table '{table.Name}' answered a write of stack '{stack}' without an ETag.");
        }
        catch (AzureStorageException ex) when (IsConflict(ex.InnerException))
        {
            // Someone created the entity first (409), changed it (412), or deleted it (404) since it was read.
            throw new StateConflictException(stack);
        }
    }

    private static bool IsConflict(Exception? ex) => ex is RequestFailedException failed && (failed.Status is 409 or 412 ||
        (failed.Status == 404 && failed.ErrorCode is not "TableNotFound"));
}
