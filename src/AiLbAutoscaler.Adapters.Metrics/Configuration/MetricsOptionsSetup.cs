using AiLbAutoscaler.Core.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Adapters.Metrics.Configuration;

/// <summary>
/// Binds <see cref="MetricsOptions"/> from <c>Autoscaler:Metrics</c> and every <c>Autoscaler:Stacks:{stack}:Metrics</c>.
/// A stack without a Metrics section gets defaults, which the validator then reports as incomplete. With a selection
/// (AddAutoscalerCore's), stacks another metrics source serves are left out.
/// </summary>
internal sealed class MetricsOptionsSetup(IConfiguration configuration, StackAdapterSelection? selection) : IConfigureOptions<MetricsOptions>
{
    public void Configure(MetricsOptions options)
    {
        configuration.GetSection(MetricsOptions.SectionPath).Bind(options);
        foreach (var stack in configuration.GetSection(MetricsOptions.StacksPath).GetChildren()
            .Where(s => selection is null || selection.Metrics.Serves(s.Key, MetricsSource.AdapterName)))
        {
            var settings = new StackMetricsOptions();
            stack.GetSection("Metrics").Bind(settings);
            options.Stacks[stack.Key] = settings;
        }
    }
}
