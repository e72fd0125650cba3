using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Simulation.Policies.Ailb;

/// <summary>The <c>Ailb</c> config section: the Core ScalingPolicy the controller runs with.</summary>
public sealed class AilbOptions : IPolicyOptions
{
    public const string Section = "Ailb";

    /// <summary>Null uses <see cref="AilbDefaults.Create"/>.</summary>
    public ScalingPolicy? Policy { get; set; }

    /// <summary>The ScalingPolicy is checked where the controller is built, as the Functions host checks it.</summary>
    public IEnumerable<string> Validate() => [];
}
