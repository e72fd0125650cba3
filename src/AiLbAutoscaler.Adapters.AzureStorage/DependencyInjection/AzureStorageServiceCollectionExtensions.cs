using AiLbAutoscaler.Adapters.AzureStorage.Audit;
using AiLbAutoscaler.Adapters.AzureStorage.Configuration;
using AiLbAutoscaler.Adapters.AzureStorage.Leases;
using AiLbAutoscaler.Adapters.AzureStorage.Queues;
using AiLbAutoscaler.Adapters.AzureStorage.State;
using AiLbAutoscaler.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class AzureStorageServiceCollectionExtensions
{
    /// <summary>
    /// Durable state (Table Storage), the per-stack lease (blob leases) and the audit trail (Table Storage) in place of the
    /// in-memory ports, whether called before or after <c>AddAutoscalerCore</c>. Options come from <c>Autoscaler:Storage</c>
    /// (falling back to <c>AzureWebJobsStorage</c>) and are validated at startup. Nothing is contacted until first use.
    /// </summary>
    public static IServiceCollection AddAzureStorageState(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AzureStorageOptions>()
            .Bind(configuration.GetSection(AzureStorageOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<AzureStorageOptions>, AzureStorageOptionsSetup>(_ => new AzureStorageOptionsSetup(configuration)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureStorageOptions>, AzureStorageOptionsSetup>(_ => new AzureStorageOptionsSetup(configuration)));

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new AzureStorageClients(sp.GetRequiredService<IOptions<AzureStorageOptions>>()));
        services.RemoveAll<IStackStateStore>().AddSingleton<IStackStateStore, AzureTableStackStateStore>();
        services.RemoveAll<IStackLock>().AddSingleton<IStackLock, AzureBlobStackLock>();
        services.RemoveAll<IAuditLog>().AddSingleton<IAuditLog, AzureTableAuditLog>();
        return services;
    }

    /// <summary>
    /// The tick queue (Azure Storage Queues) for Autoscaler:Dispatch = Queue: where the timer puts one message per stack
    /// and the TickStack queue trigger takes them. Needs <see cref="AddAzureStorageState"/> (poisoned ticks are kept in
    /// the state table). The queue is the Functions app's own storage (<c>AzureWebJobsStorage</c>), named by
    /// <c>AUTOSCALER_TICK_QUEUE</c>, validated at startup.
    /// </summary>
    public static IServiceCollection AddAzureQueueTicks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TickQueueOptions>()
            .Configure(o =>
            {
                var read = TickQueueOptions.From(configuration);
                (o.QueueName, o.ConnectionString, o.QueueServiceUri, o.ClientId) = (read.QueueName, read.ConnectionString, read.QueueServiceUri, read.ClientId);
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TickQueueOptions>, TickQueueOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.RemoveAll<ITickQueue>().AddSingleton<ITickQueue, AzureQueueTickQueue>();
        return services;
    }
}
