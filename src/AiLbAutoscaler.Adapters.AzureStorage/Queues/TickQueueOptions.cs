using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Adapters.AzureStorage.Queues;

/// <summary>
/// The tick queue. It lives where the <c>TickStack</c> queue trigger listens: the Functions app's own storage
/// (<c>AzureWebJobsStorage</c>, a connection string or the identity-based <c>AzureWebJobsStorage__queueServiceUri</c> /
/// <c>__accountName</c>), under the name in the app setting <c>AUTOSCALER_TICK_QUEUE</c> that the trigger also reads.
/// </summary>
public sealed class TickQueueOptions
{
    public const string QueueNameSetting = "AUTOSCALER_TICK_QUEUE";
    public const string ConnectionSetting = "AzureWebJobsStorage";

    public string? QueueName { get; set; }

    /// <summary>A secret: never logged.</summary>
    public string? ConnectionString { get; set; }

    public Uri? QueueServiceUri { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The poison queue the Functions host moves a message to after its last try.</summary>
    public string PoisonQueueName => QueueName + "-poison";

    internal bool UsesIdentity => string.IsNullOrWhiteSpace(ConnectionString);

    public static TickQueueOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(ConnectionSetting);
        var account = section["accountName"];
        return new TickQueueOptions
        {
            QueueName = configuration[QueueNameSetting]?.Trim(),
            ConnectionString = configuration[ConnectionSetting] is { Length: > 0 } s && !string.IsNullOrWhiteSpace(s) ? s : null,
            QueueServiceUri = Uri.TryCreate(section["queueServiceUri"], UriKind.Absolute, out var uri) ? uri
                : account is { Length: > 0 } ? new Uri($"https://{account}.queue.core.windows.net") : null,
            ClientId = section["clientId"],
        };
    }
}

/// <summary>Fails startup on a tick queue that the trigger could not share, naming the setting (never a connection string).</summary>
public sealed partial class TickQueueOptionsValidator : IValidateOptions<TickQueueOptions>
{
    public ValidateOptionsResult Validate(string? name, TickQueueOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.QueueName))
        {
            errors.Add($"{TickQueueOptions.QueueNameSetting} is required with Autoscaler:Dispatch = Queue: the name of the tick queue, for example 'autoscaler-ticks'.");
        }
        else if (!QueueName().IsMatch(options.QueueName) || options.QueueName.Contains("--", StringComparison.Ordinal) || options.QueueName.Length > 63 - "-poison".Length)
        {
            errors.Add($"{TickQueueOptions.QueueNameSetting} '{options.QueueName}' is not a usable queue name: 3–56 lower-case letters, digits and single " +
                "hyphens, starting and ending with a letter or digit (56, so that its '-poison' queue still fits in 63).");
        }

        if (options.UsesIdentity && options.QueueServiceUri is null)
        {
            errors.Add($"The tick queue needs the Functions app's storage: set {TickQueueOptions.ConnectionSetting} to a connection string " +
                $"(UseDevelopmentStorage=true for Azurite), or {TickQueueOptions.ConnectionSetting}__queueServiceUri / __accountName for a managed identity.");
        }
        else if (!options.UsesIdentity)
        {
            try
            {
                _ = new Azure.Storage.Queues.QueueServiceClient(options.ConnectionString);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                errors.Add($"{TickQueueOptions.ConnectionSetting} is not a usable storage connection string for queues ({ex.GetType().Name}).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueName();
}
