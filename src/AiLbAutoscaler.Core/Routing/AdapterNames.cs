namespace AiLbAutoscaler.Core.Routing;

/// <summary>The ports a stack picks an adapter for, and the name of the in-memory stand-ins Core ships.</summary>
public static class AdapterNames
{
    /// <summary>The in-memory stand-in of either port: nothing outside the process is read or changed.</summary>
    public const string InMemory = "InMemory";

    public const string ActuatorPort = "actuator";
    public const string MetricsPort = "metrics source";
}

/// <summary>Says that an adapter serves a port under a name; the routers and their startup check read these.</summary>
public sealed record AdapterRegistration(string Port, string Name);
