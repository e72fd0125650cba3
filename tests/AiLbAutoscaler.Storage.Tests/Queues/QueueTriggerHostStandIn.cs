using AiLbAutoscaler.Functions.Dispatch;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace AiLbAutoscaler.Storage.Tests.Queues;

/// <summary>
/// A stand-in for one Functions host instance's queue-trigger listener, following its documented contract
/// (learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger, and the host.json queue settings):
/// it fetches up to batchSize messages, fetches the next batch once no more than newBatchThreshold are still running,
/// hides a message while its invocation runs, deletes it on success, makes it visible again after visibilityTimeout on
/// failure, and after maxDequeueCount tries copies it to <c>&lt;queue&gt;-poison</c> and deletes it. An empty queue is
/// polled with exponential back-off from 100 ms up to maxPollingInterval. The real host's listener is not used: the
/// Functions host cannot run here (see GUIDE: Core Tools is not to be had).
/// </summary>
public sealed class QueueTriggerHostStandIn : IAsyncDisposable
{
    private static readonly TimeSpan InFlightVisibility = TimeSpan.FromMinutes(10);
    private readonly QueueClient _queue;
    private readonly QueueClient _poison;
    private readonly QueueHostSettings _settings;
    private readonly Func<QueueMessage, CancellationToken, Task> _function;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _finished = new(0);
    private readonly List<Task> _running = [];
    private readonly Lock _gate = new();
    private Task? _loop;
    private int _inFlight;

    public QueueTriggerHostStandIn(QueueClient queue, QueueClient poison, QueueHostSettings settings, Func<QueueMessage, CancellationToken, Task> function)
    {
        _queue = queue;
        _poison = poison;
        _settings = settings;
        _function = function;
    }

    private int _failures;
    private int _invocations;

    /// <summary>Invocations that ended by throwing (each is a failed try).</summary>
    public int Failures => Volatile.Read(ref _failures);

    public int Invocations => Volatile.Read(ref _invocations);

    public void Start() => _loop = Task.Run(() => PollAsync(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        Task[] running;
        lock (_gate)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running);
    }

    private async Task PollAsync(CancellationToken stop)
    {
        var idle = TimeSpan.FromMilliseconds(100);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (Volatile.Read(ref _inFlight) > _settings.NewBatchThreshold)
                {
                    await _finished.WaitAsync(stop);
                    continue;
                }

                var batch = await ReceiveAsync(stop);
                if (batch.Length == 0)
                {
                    await Task.Delay(idle, stop);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, _settings.MaxPollingInterval.Ticks));
                    continue;
                }

                idle = TimeSpan.FromMilliseconds(100);
                foreach (var message in batch)
                {
                    Interlocked.Increment(ref _inFlight);
                    var run = Task.Run(() => InvokeAsync(message, stop), CancellationToken.None);
                    lock (_gate)
                    {
                        _running.Add(run);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>A queue that does not exist yet reads as empty, as the host's listener treats it.</summary>
    private async Task<QueueMessage[]> ReceiveAsync(CancellationToken stop)
    {
        try
        {
            return (await _queue.ReceiveMessagesAsync(_settings.BatchSize, InFlightVisibility, stop)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return [];
        }
    }

    private async Task InvokeAsync(QueueMessage message, CancellationToken stop)
    {
        try
        {
            if (message.DequeueCount > _settings.MaxDequeueCount)
            {
                await PoisonAsync(message);
                return;
            }

            Interlocked.Increment(ref _invocations);
            try
            {
                await _function(message, stop);
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _failures);
                if (message.DequeueCount >= _settings.MaxDequeueCount)
                {
                    await PoisonAsync(message);
                }
                else
                {
                    await _queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: _settings.VisibilityTimeout, cancellationToken: CancellationToken.None);
                }

                return;
            }

            await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The message expired (its TTL passed) while it ran: it is gone either way, as the host finds too.
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping: the message reappears after its visibility, as after a host shutdown.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _finished.Release();
        }
    }

    private async Task PoisonAsync(QueueMessage message)
    {
        await _poison.CreateIfNotExistsAsync();
        await _poison.SendMessageAsync(message.Body);
        await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
    }
}
