namespace AiLbAutoscaler.Adapters.AzureStorage.Configuration;

/// <summary>
/// Where the state, the leases and the audit trail live. Bound from <c>Autoscaler:Storage</c>; when neither a connection
/// string nor service URIs are set there, the Functions app's own <c>AzureWebJobsStorage</c> connection is used
/// (a connection string, or the identity-based <c>AzureWebJobsStorage__tableServiceUri</c>/<c>__blobServiceUri</c>/<c>__accountName</c>).
/// </summary>
public sealed class AzureStorageOptions
{
    public const string SectionName = "Autoscaler:Storage";

    /// <summary>A storage connection string (account key, SAS, or <c>UseDevelopmentStorage=true</c> for Azurite). A secret: never logged.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>With <see cref="BlobServiceUri"/>: connect with Azure.Identity (managed identity) instead of a connection string.</summary>
    public Uri? TableServiceUri { get; set; }

    public Uri? BlobServiceUri { get; set; }

    /// <summary>The client id of a user-assigned managed identity; null uses the default credential chain as is.</summary>
    public string? ClientId { get; set; }

    /// <summary>One entity per stack: the controller's memory between ticks.</summary>
    public string StateTableName { get; set; } = "AutoscalerState";

    /// <summary>One row per decision.</summary>
    public string AuditTableName { get; set; } = "AutoscalerAudit";

    /// <summary>One blob per stack, leased by the single writer.</summary>
    public string LeaseContainerName { get; set; } = "autoscaler-leases";

    /// <summary>How long a lease lasts unless renewed. Azure allows 15 to 60 seconds; a crashed holder blocks the stack this long at most.</summary>
    public int LeaseDurationSeconds { get; set; } = 30;

    /// <summary>How often a held lease is renewed; null means a third of <see cref="LeaseDurationSeconds"/>. At most half the duration.</summary>
    public double? LeaseRenewIntervalSeconds { get; set; }

    /// <summary>How long one storage request may take before it is retried.</summary>
    public double RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>Retries of a failed storage request (exponential back-off, by the Azure SDK).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Where the connection came from, for error messages (the setting's name, never its value).</summary>
    internal string ConnectionSource { get; set; } = SectionName + ":ConnectionString";

    internal TimeSpan LeaseDuration => TimeSpan.FromSeconds(LeaseDurationSeconds);

    internal TimeSpan LeaseRenewInterval => TimeSpan.FromSeconds(LeaseRenewIntervalSeconds ?? LeaseDurationSeconds / 3.0);

    internal bool UsesIdentity => string.IsNullOrWhiteSpace(ConnectionString);
}
