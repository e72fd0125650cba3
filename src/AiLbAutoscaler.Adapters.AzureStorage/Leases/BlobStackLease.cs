using AiLbAutoscaler.Adapters.AzureStorage.Configuration;
using AiLbAutoscaler.Core.Ports;
using Azure;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;

namespace AiLbAutoscaler.Adapters.AzureStorage.Leases;

/// <summary>
/// A held blob lease. Renews every <see cref="AzureStorageOptions.LeaseRenewInterval"/> until disposed, so a long update
/// keeps it; a failed renewal is retried while the lease can still be alive, and when it cannot (or the service says it
/// belongs to someone else) <see cref="Lost"/> is cancelled. Disposing stops the renewal and releases the lease; if the
/// release fails, the lease simply expires.
/// </summary>
internal sealed class BlobStackLease : IStackLease
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);

    private readonly BlobLeaseClient _lease;
    private readonly AzureStorageOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewal;
    private int _disposed;

    public BlobStackLease(string stack, BlobLeaseClient lease, AzureStorageClients clients, TimeProvider time, ILogger logger, long acquireStarted, long fence)
    {
        Fence = fence;
        Stack = stack;
        _lease = lease;
        _options = clients.Options;
        _time = time;
        _logger = logger;
        Lost = _lost.Token;
        _renewal = Task.Run(() => RenewAsync(acquireStarted));
    }

    public string Stack { get; }

    public CancellationToken Lost { get; }

    public long Fence { get; }

    /// <summary>Renews once, now: the service answers whether this lease is still ours.</summary>
    public async Task<bool> ConfirmAsync(CancellationToken cancellationToken)
    {
        if (Lost.IsCancellationRequested)
        {
            return false;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.RequestTimeoutSeconds), _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            await _lease.RenewAsync(cancellationToken: linked.Token);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            MarkLost($"HTTP {ex.Status} {ex.ErrorCode} before an apply");
            return false;
        }
        catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Unreachable: the renewal loop decides when the lease is lost; until then it may still be ours.
            _logger.LogWarning("Could not confirm the lease of stack {Stack} before an apply ({Reason})", Stack, ex.GetBaseException().Message.Split('\n', 2)[0]);
            return !Lost.IsCancellationRequested;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        await _renewal; // never faults: the loop ends on stop, on loss, or keeps retrying
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.RequestTimeoutSeconds), _time);
            await _lease.ReleaseAsync(cancellationToken: timeout.Token);
            _logger.LogDebug("Released the lease of stack {Stack}", Stack);
        }
        catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException or AggregateException)
        {
            _logger.LogWarning("Could not release the lease of stack {Stack} ({Reason}); it expires on its own within {Duration}",
                Stack, ex.GetBaseException().Message.Split('\n', 2)[0], _options.LeaseDuration);
        }
        finally
        {
            _stop.Dispose();
        }
    }

    private async Task RenewAsync(long lastRenewed)
    {
        var interval = _options.LeaseRenewInterval;
        var retryDelay = interval < MaxRetryDelay ? interval : MaxRetryDelay;
        var attemptTimeout = TimeSpan.FromSeconds(Math.Min(_options.RequestTimeoutSeconds, interval.TotalSeconds));
        var delay = interval;
        while (true)
        {
            try
            {
                await Task.Delay(delay, _time, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var started = _time.GetTimestamp();
            try
            {
                using var timeout = new CancellationTokenSource(attemptTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, timeout.Token);
                await _lease.RenewAsync(cancellationToken: linked.Token);
                lastRenewed = started;
                delay = interval;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                // The service says so: the lease expired and was taken, was broken, or the blob is gone.
                MarkLost($"HTTP {ex.Status} {ex.ErrorCode}");
                return;
            }
            catch (Exception ex)
            {
                // Unreachable, slow, or anything else unexpected: keep trying while the lease may still be alive on the service.
                var reason = ex.GetBaseException().Message.Split('\n', 2)[0];
                if (_time.GetElapsedTime(lastRenewed) + retryDelay >= _options.LeaseDuration)
                {
                    MarkLost($"no renewal succeeded for {_time.GetElapsedTime(lastRenewed).TotalSeconds:0.#} s; last error: {reason}");
                    return;
                }

                _logger.LogWarning("Renewing the lease of stack {Stack} failed ({Reason}); retrying", Stack, reason);
                delay = retryDelay;
            }
        }
    }

    private void MarkLost(string why)
    {
        _logger.LogWarning("Lost the lease of stack {Stack}: {Why}. Another writer may hold it now", Stack, why);
        try
        {
            _lost.Cancel();
        }
        catch (AggregateException ex)
        {
            _logger.LogError(ex, "A callback on the lost lease of stack {Stack} failed", Stack);
        }
    }
}
