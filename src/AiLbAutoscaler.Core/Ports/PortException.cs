namespace AiLbAutoscaler.Core.Ports;

/// <summary>
/// An adapter behind a port could not do what was asked. Adapters throw it (or a subclass of their own) with a message that
/// names the operation and the setting to check and never holds a secret; hosts map <see cref="Unavailable"/> to 503
/// without knowing which adapter threw.
/// </summary>
public class PortException(string message, bool unavailable, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>True when the service could not be reached or did not answer in time (worth retrying later).</summary>
    public bool Unavailable { get; } = unavailable;
}
