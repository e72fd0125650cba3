using AiLbAutoscaler.Adapters.AzureStorage.Common;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Adapters.AzureStorage.Configuration;

/// <summary>
/// The table and blob clients of one storage account, shared by the state store, the lock and the audit log. Tables and
/// the lease container are created on first use, once per process (a failed attempt is retried on the next use).
/// </summary>
public sealed class AzureStorageClients
{
    private readonly TableServiceClient _tables;
    private readonly BlobServiceClient _blobs;
    private readonly Once _stateTable;
    private readonly Once _auditTable;
    private readonly Once _leaseContainer;

    public AzureStorageClients(IOptions<AzureStorageOptions> options)
        : this(options.Value)
    {
    }

    public AzureStorageClients(AzureStorageOptions options)
    {
        Options = options;
        var tableOptions = new TableClientOptions();
        var blobOptions = new BlobClientOptions();
        Configure(tableOptions.Retry, options);
        Configure(blobOptions.Retry, options);

        if (options.UsesIdentity)
        {
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = options.ClientId });
            _tables = new TableServiceClient(options.TableServiceUri, credential, tableOptions);
            _blobs = new BlobServiceClient(options.BlobServiceUri, credential, blobOptions);
        }
        else
        {
            _tables = new TableServiceClient(options.ConnectionString, tableOptions);
            _blobs = new BlobServiceClient(options.ConnectionString, blobOptions);
        }

        StateTable = _tables.GetTableClient(options.StateTableName);
        AuditTable = _tables.GetTableClient(options.AuditTableName);
        LeaseContainer = _blobs.GetBlobContainerClient(options.LeaseContainerName);
        _stateTable = new Once(ct => StateTable.CreateIfNotExistsAsync(ct));
        _auditTable = new Once(ct => AuditTable.CreateIfNotExistsAsync(ct));
        _leaseContainer = new Once(ct => LeaseContainer.CreateIfNotExistsAsync(cancellationToken: ct));
    }

    public AzureStorageOptions Options { get; }

    internal TableClient StateTable { get; }

    internal TableClient AuditTable { get; }

    internal BlobContainerClient LeaseContainer { get; }

    internal async Task<TableClient> GetStateTableAsync(CancellationToken cancellationToken)
    {
        await StorageErrors.GuardAsync(() => _stateTable.RunAsync(cancellationToken), this, $"create table '{StateTable.Name}'", StateTable.Uri);
        return StateTable;
    }

    internal async Task<TableClient> GetAuditTableAsync(CancellationToken cancellationToken)
    {
        await StorageErrors.GuardAsync(() => _auditTable.RunAsync(cancellationToken), this, $"create table '{AuditTable.Name}'", AuditTable.Uri);
        return AuditTable;
    }

    internal async Task<BlobContainerClient> GetLeaseContainerAsync(CancellationToken cancellationToken)
    {
        await StorageErrors.GuardAsync(() => _leaseContainer.RunAsync(cancellationToken), this, $"create container '{LeaseContainer.Name}'", LeaseContainer.Uri);
        return LeaseContainer;
    }

    private static void Configure(RetryOptions retry, AzureStorageOptions options)
    {
        retry.Mode = RetryMode.Exponential;
        retry.MaxRetries = options.MaxRetries;
        retry.Delay = TimeSpan.FromMilliseconds(200);
        retry.MaxDelay = TimeSpan.FromSeconds(5);
        retry.NetworkTimeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds);
    }
}
