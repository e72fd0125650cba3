using AiLbAutoscaler.Adapters.AzureStorage.Common;
using AiLbAutoscaler.Adapters.AzureStorage.Configuration;
using AiLbAutoscaler.Core.Ports;
using Azure;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Adapters.AzureStorage.Queues;

/// <summary>
/// Ticks on an Azure Storage queue, base64-encoded as the Functions queue trigger expects by default. A message is visible
/// at once and lives until its <see cref="TickMessage.ExpiresAt"/> (one timer period), so the queue itself drops a tick
/// that no consumer reached in time. Poisoned ticks are remembered in the state table, next to the stack's state (row
/// keys <c>poison-&lt;ticks&gt;-&lt;tickId&gt;</c>), for status.
/// </summary>
public sealed class AzureQueueTickQueue : ITickQueue
{
    private const string PoisonPrefix = "poison-";
    private readonly AzureStorageClients _tables;
    private readonly TimeProvider _time;
    private readonly Once _created;

    public AzureQueueTickQueue(IOptions<TickQueueOptions> options, AzureStorageClients tables, TimeProvider time)
    {
        var o = options.Value;
        var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        clientOptions.Retry.MaxRetries = tables.Options.MaxRetries;
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(tables.Options.RequestTimeoutSeconds);
        var service = o.UsesIdentity
            ? new QueueServiceClient(o.QueueServiceUri, new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = o.ClientId }), clientOptions)
            : new QueueServiceClient(o.ConnectionString, clientOptions);
        Queue = service.GetQueueClient(o.QueueName);
        PoisonQueue = service.GetQueueClient(o.PoisonQueueName);
        _tables = tables;
        _time = time;
        _created = new Once(ct => StorageErrors.GuardAsync(() => Queue.CreateIfNotExistsAsync(cancellationToken: ct), _tables,
            $"create queue '{Queue.Name}'", Queue.Uri, ct));
    }

    /// <summary>The queue the TickStack trigger reads (public for tests and tools that look at it).</summary>
    public QueueClient Queue { get; }

    public QueueClient PoisonQueue { get; }

    public async Task EnqueueAsync(TickMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);

        // The service counts whole seconds and wants at least one; a tick with under a second left is still sent.
        var ttl = TimeSpan.FromSeconds(Math.Max(1, Math.Floor((message.ExpiresAt - _time.GetUtcNow()).TotalSeconds)));
        await _created.RunAsync(cancellationToken);
        await StorageErrors.GuardAsync(() => Queue.SendMessageAsync(TickMessageJson.Serialize(message), TimeSpan.Zero, ttl, cancellationToken),
            _tables, $"enqueue tick '{message.TickId}' of stack '{message.Stack}' on queue '{Queue.Name}'", Queue.Uri, cancellationToken);
    }

    public async Task RecordPoisonedAsync(PoisonedTick tick, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tick);
        var table = await _tables.GetStateTableAsync(cancellationToken);
        var entity = new TableEntity(EntityProperties.StackKey(tick.Stack), $"{PoisonPrefix}{EntityProperties.SortableTime(tick.At)}-{RowSafe(tick.TickId)}")
        {
            ["Stack"] = tick.Stack,
            ["TickId"] = tick.TickId,
            ["DueAt"] = tick.DueAt,
            ["At"] = tick.At,
            ["Attempts"] = tick.Attempts,
        };
        EntityProperties.SetLongString(entity, "Reason", tick.Reason.Length > 4000 ? tick.Reason[..4000] + "…" : tick.Reason);
        await StorageErrors.GuardAsync(() => table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken), _tables,
            $"record poisoned tick '{tick.TickId}' of stack '{tick.Stack}' in table '{table.Name}'", table.Uri, cancellationToken);
    }

    public async Task<IReadOnlyList<PoisonedTick>> PoisonedAsync(string stack, DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        var table = await _tables.GetStateTableAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {EntityProperties.StackKey(stack)} and RowKey ge {PoisonPrefix + EntityProperties.SortableTime(since)} and RowKey lt {"poison."}");
        var found = new List<PoisonedTick>();
        await StorageErrors.GuardAsync(async () =>
        {
            await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                found.Add(new PoisonedTick(
                    EntityProperties.RequiredString(e, "Stack", table.Name), EntityProperties.RequiredString(e, "TickId", table.Name),
                    e.GetDateTimeOffset("DueAt") ?? default, e.GetDateTimeOffset("At") ?? default, e.GetInt32("Attempts") ?? 0,
                    EntityProperties.GetLongString(e, "Reason") ?? ""));
            }
        }, _tables, $"read the poisoned ticks of stack '{stack}' from table '{table.Name}'", table.Uri, cancellationToken);
        found.Reverse();
        return found.Take(limit).ToList();
    }

    /// <summary>Row keys may not hold / \ # ? or control characters.</summary>
    private static string RowSafe(string id) =>
        new(id.Select(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c) ? '_' : c).ToArray());
}
