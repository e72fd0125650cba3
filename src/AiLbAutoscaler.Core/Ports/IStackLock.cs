namespace AiLbAutoscaler.Core.Ports;

/// <summary>A single writer per stack, across invocations and instances.</summary>
public interface IStackLock
{
    /// <summary>
    /// Takes the stack's lease, or returns null at once when someone else holds it. The lease keeps itself alive
    /// (renewing in the background) until it is disposed; a crashed holder's lease expires on its own.
    /// </summary>
    Task<IStackLease?> TryAcquireAsync(string stack, CancellationToken cancellationToken);
}

public interface IStackLease : IAsyncDisposable
{
    string Stack { get; }

    /// <summary>Set when renewal failed and the lease may have passed to someone else.</summary>
    CancellationToken Lost { get; }

    /// <summary>
    /// A fencing token: larger for every later holder of the stack's lease. The controller stamps the state it writes
    /// with it and does not overwrite a state stamped by a later holder. 0 where the lock cannot tell.
    /// </summary>
    long Fence => 0;

    /// <summary>
    /// Asks the lock service whether this lease is still held, right before an apply; false when it is not (then
    /// <see cref="Lost"/> is set too). The default trusts <see cref="Lost"/>.
    /// </summary>
    Task<bool> ConfirmAsync(CancellationToken cancellationToken) => Task.FromResult(!Lost.IsCancellationRequested);
}
