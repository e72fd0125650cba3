using AiLbAutoscaler.Adapters.AzureStorage.Common;
using AiLbAutoscaler.Adapters.AzureStorage.Configuration;
using AiLbAutoscaler.Core.Ports;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiLbAutoscaler.Adapters.AzureStorage.Leases;

/// <summary>
/// A single writer per stack across invocations and instances: a lease on the blob <c>&lt;stack&gt;.lock</c> in the lease
/// container (created on first use). A held lease renews itself in the background; if the holder crashes, the service
/// lets the lease expire after <see cref="AzureStorageOptions.LeaseDurationSeconds"/> and the next caller gets it.
/// </summary>
public sealed class AzureBlobStackLock(AzureStorageClients clients, TimeProvider time, ILogger<AzureBlobStackLock>? logger = null) : IStackLock
{
    private readonly ILogger _logger = logger ?? NullLogger<AzureBlobStackLock>.Instance;

    public async Task<IStackLease?> TryAcquireAsync(string stack, CancellationToken cancellationToken)
    {
        var container = await clients.GetLeaseContainerAsync(cancellationToken);
        var blob = container.GetBlobClient(EntityProperties.StackKey(stack) + ".lock");
        var lease = blob.GetBlobLeaseClient(); // a fresh lease id per holder
        var duration = clients.Options.LeaseDuration;
        var operation = $"take the lease of stack '{stack}' (blob '{container.Name}/{blob.Name}')";

        var started = time.GetTimestamp(); // the lease runs from no earlier than this
        try
        {
            await StorageErrors.GuardAsync(() => AcquireAsync(blob, lease, duration, cancellationToken), clients, operation, blob.Uri, cancellationToken);
        }
        catch (AzureStorageException ex) when (ex.InnerException is RequestFailedException { Status: 409 } held &&
                                               held.ErrorCode == BlobErrorCode.LeaseAlreadyPresent)
        {
            _logger.LogDebug("Lease of stack {Stack} is held by another writer", stack);
            return null;
        }

        _logger.LogDebug("Took the lease of stack {Stack} for {Duration}", stack, duration);
        return new BlobStackLease(stack, lease, clients, time, _logger, started);
    }

    private static async Task AcquireAsync(BlobClient blob, BlobLeaseClient lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        try
        {
            await lease.AcquireAsync(duration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            // First use of this stack: create its (empty) lock blob, unless a concurrent caller just did.
            try
            {
                await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
            }
            catch (RequestFailedException created) when (created.Status is 409 or 412)
            {
            }

            await lease.AcquireAsync(duration, cancellationToken: cancellationToken);
        }
    }
}
