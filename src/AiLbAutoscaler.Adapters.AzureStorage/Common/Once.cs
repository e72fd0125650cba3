namespace AiLbAutoscaler.Adapters.AzureStorage.Common;

/// <summary>Runs an idempotent set-up step until it has succeeded once.</summary>
internal sealed class Once(Func<CancellationToken, Task> action)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _done;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_done)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_done)
            {
                await action(cancellationToken);
                _done = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
