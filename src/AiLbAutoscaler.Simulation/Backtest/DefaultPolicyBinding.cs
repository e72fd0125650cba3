using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using AiLbAutoscaler.Core.Policy;

namespace AiLbAutoscaler.Simulation.Backtest;

/// <summary>
/// A policy in a config file binds as the Functions host binds a stack's policy: onto
/// <see cref="ScalingPolicy.CreateDefault"/>, each key replacing only its own value (nested options are filled in, not
/// replaced), and signals given replace the default signals as a whole. A variant then differs from the default only
/// where its file says so.
/// </summary>
internal static class DefaultPolicyBinding
{
    private static readonly string PolicyNamespace = typeof(ScalingPolicy).Namespace!;

    public static void Modify(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object || info.Type.Namespace != PolicyNamespace)
        {
            return;
        }

        if (info.Type == typeof(ScalingPolicy))
        {
            info.CreateObject = ScalingPolicy.CreateDefaultWithoutSignals; // lists would otherwise append to the default's
            info.OnDeserialized = value => ((ScalingPolicy)value).UseDefaultSignalsIfNone();
        }

        foreach (var property in info.Properties)
        {
            if (property.PropertyType.IsClass && property.PropertyType.Namespace == PolicyNamespace && property.Set is not null)
            {
                property.ObjectCreationHandling = JsonObjectCreationHandling.Populate;
            }
        }
    }
}
