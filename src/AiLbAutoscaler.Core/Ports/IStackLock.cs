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
}
