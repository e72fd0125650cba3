using AiLbAutoscaler.Core.Engine.Recommenders;
using AiLbAutoscaler.Functions.Dispatch;
using AiLbAutoscaler.Functions.Functions;
using AiLbAutoscaler.Functions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class AutoscalerFunctionsServiceCollectionExtensions
{
    /// <summary>
    /// What the Functions app adds to the core: its options (validated at startup, errors naming the setting), the
    /// adapter wiring check, and the function classes (registered so tests resolve them from the same container).
    /// Call together with <c>AddAutoscalerCore</c>.
    /// </summary>
    public static IServiceCollection AddAutoscalerFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HttpApiOptions>()
            .Bind(configuration.GetSection(HttpApiOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpApiOptions>, HttpApiOptionsValidator>());

        services.AddOptions<ScheduleOptions>()
            .Configure(o =>
            {
                o.Autoscale = configuration[ScheduleOptions.AutoscaleSetting];
                o.Prune = configuration[ScheduleOptions.PruneSetting];
                o.TickQueue = configuration[ScheduleOptions.TickQueueSetting];
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScheduleOptions>, ScheduleOptionsValidator>());

        services.AddOptions<AdapterWiringOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AdapterWiringOptions>, AdapterWiringCheck>());

        services.TryAddSingleton(_ => QueueHostSettings.FromApp(configuration));
        services.TryAddSingleton(_ => new TickSchedule(configuration[ScheduleOptions.AutoscaleSetting] ?? ""));
        if (AdapterSelection.From(configuration).Dispatch == DispatchMode.Queue)
        {
            services.TryAddSingleton<TickFanOut>();
        }

        services.TryAddTransient<TimerFunctions>();
        services.TryAddTransient<TickStackFunctions>();
        services.TryAddTransient<ScalingFunctions>();
        services.TryAddTransient<StackQueryFunctions>();
        return services;
    }
}
