using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Adapters.Metrics.Configuration;

/// <summary>
/// Binds <see cref="MetricsOptions"/> from <c>Autoscaler:Metrics</c> and every <c>Autoscaler:Stacks:{stack}:Metrics</c>.
/// A stack without a Metrics section gets defaults, which the validator then reports as incomplete.
/// </summary>
internal sealed class MetricsOptionsSetup(IConfiguration configuration) : IConfigureOptions<MetricsOptions>
{
    public void Configure(MetricsOptions options)
    {
        configuration.GetSection(MetricsOptions.SectionPath).Bind(options);
        foreach (var stack in configuration.GetSection(MetricsOptions.StacksPath).GetChildren())
        {
            var settings = new StackMetricsOptions();
            stack.GetSection("Metrics").Bind(settings);
            options.Stacks[stack.Key] = settings;
        }
    }
}
