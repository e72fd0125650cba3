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

        long fence;
        try
        {
            fence = await StorageErrors.GuardAsync(() => NextFenceAsync(blob, lease.LeaseId, cancellationToken), clients,
                $"stamp the lease of stack '{stack}' with a fencing token", blob.Uri, cancellationToken);
        }
        catch
        {
            await ReleaseQuietlyAsync(lease);
            throw;
        }

        _logger.LogDebug("Took the lease of stack {Stack} for {Duration} (fence {Fence})", stack, duration, fence);
        return new BlobStackLease(stack, lease, clients, time, _logger, started, fence);
    }

    private const string FenceKey = "fence";

    /// <summary>
    /// Counts the lease's holders in the lock blob's metadata. Only the holder of the lease may write it, so every later
    /// holder reads a larger number: a fencing token.
    /// </summary>
    private static async Task<long> NextFenceAsync(BlobClient blob, string leaseId, CancellationToken cancellationToken)
    {
        var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
        var fence = properties.Value.Metadata.TryGetValue(FenceKey, out var text) && long.TryParse(text, out var n) ? n + 1 : 1;
        await blob.SetMetadataAsync(
            new Dictionary<string, string> { [FenceKey] = fence.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            new BlobRequestConditions { LeaseId = leaseId }, cancellationToken);
        return fence;
    }

    private static async Task ReleaseQuietlyAsync(BlobLeaseClient lease)
    {
        try
        {
            await lease.ReleaseAsync();
        }
        catch (RequestFailedException)
        {
            // It expires on its own.
        }
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
