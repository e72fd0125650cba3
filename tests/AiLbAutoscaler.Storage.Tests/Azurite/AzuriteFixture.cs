using AiLbAutoscaler.Adapters.AzureStorage.Audit;
using AiLbAutoscaler.Adapters.AzureStorage.Configuration;
using AiLbAutoscaler.Adapters.AzureStorage.Leases;
using AiLbAutoscaler.Adapters.AzureStorage.State;

namespace AiLbAutoscaler.Storage.Tests.Azurite;

/// <summary>One real Azurite per test class (classes run in parallel, each against its own instance).</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private static int _counter;

    public AzuriteServer Server { get; } = new();

    public Task InitializeAsync() => Server.StartAsync();

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();

    /// <summary>Options for this Azurite with tables and a container of their own, so tests do not see each other's data.</summary>
    public AzureStorageOptions NewOptions(Action<AzureStorageOptions>? configure = null)
    {
        var n = Interlocked.Increment(ref _counter);
        var options = new AzureStorageOptions
        {
            ConnectionString = Server.ConnectionString,
            StateTableName = $"State{n}",
            AuditTableName = $"Audit{n}",
            LeaseContainerName = $"leases-{n}",
            LeaseDurationSeconds = 15,
            RequestTimeoutSeconds = 5,
            MaxRetries = 1,
        };
        configure?.Invoke(options);
        return options;
    }

    public StorageSet NewStorage(Action<AzureStorageOptions>? configure = null, TimeProvider? time = null) =>
        new(new AzureStorageClients(NewOptions(configure)), time ?? TimeProvider.System);
}

/// <summary>The three adapters over one set of tables and container.</summary>
public sealed class StorageSet(AzureStorageClients clients, TimeProvider time)
{
    public AzureStorageClients Clients { get; } = clients;

    public AzureTableStackStateStore State { get; } = new(clients);

    public AzureBlobStackLock Lock { get; } = new(clients, time);

    public AzureTableAuditLog Audit { get; } = new(clients);

    /// <summary>The same tables and container through fresh clients, as another Function instance would see them.</summary>
    public StorageSet Another(TimeProvider? time = null) => new(new AzureStorageClients(Clients.Options), time ?? TimeProvider.System);
}
