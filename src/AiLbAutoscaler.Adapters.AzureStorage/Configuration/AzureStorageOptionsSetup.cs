using System.Net;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Adapters.AzureStorage.Configuration;

/// <summary>
/// Fills in the connection from <c>AzureWebJobsStorage</c> when <c>Autoscaler:Storage</c> names none, then fails startup
/// on a bad setting, naming it. Connection strings are secrets: errors name the setting, never its value.
/// </summary>
public sealed partial class AzureStorageOptionsSetup(IConfiguration configuration)
    : IPostConfigureOptions<AzureStorageOptions>, IValidateOptions<AzureStorageOptions>
{
    private const string WebJobs = "AzureWebJobsStorage";
    private const string Prefix = AzureStorageOptions.SectionName + ":";

    /// <summary>Binds, completes and validates the options outside a DI container (the CLI); throws naming every bad setting.</summary>
    public static AzureStorageOptions Load(IConfiguration configuration)
    {
        var options = new AzureStorageOptions();
        configuration.GetSection(AzureStorageOptions.SectionName).Bind(options);
        var setup = new AzureStorageOptionsSetup(configuration);
        setup.PostConfigure(null, options);
        var result = setup.Validate(null, options);
        return result.Failed
            ? throw new OptionsValidationException(Options.DefaultName, typeof(AzureStorageOptions), result.Failures)
            : options;
    }

    public void PostConfigure(string? name, AzureStorageOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            options.ConnectionSource = Prefix + "ConnectionString";
            return;
        }

        if (options.TableServiceUri is not null || options.BlobServiceUri is not null)
        {
            options.ConnectionSource = Prefix + "TableServiceUri/BlobServiceUri";
            return;
        }

        // The Functions runtime's own storage: a connection string, or an identity-based connection (AzureWebJobsStorage__*).
        if (configuration[WebJobs] is { Length: > 0 } webJobsConnection && !string.IsNullOrWhiteSpace(webJobsConnection))
        {
            options.ConnectionString = webJobsConnection;
            options.ConnectionSource = WebJobs;
            return;
        }

        var section = configuration.GetSection(WebJobs);
        var account = section["accountName"];
        options.TableServiceUri = AsUri(section["tableServiceUri"]) ?? (account is { Length: > 0 } ? new Uri($"https://{account}.table.core.windows.net") : null);
        options.BlobServiceUri = AsUri(section["blobServiceUri"]) ?? (account is { Length: > 0 } ? new Uri($"https://{account}.blob.core.windows.net") : null);
        options.ClientId ??= section["clientId"];
        options.ConnectionSource = WebJobs + "__tableServiceUri/blobServiceUri/accountName";
    }

    public ValidateOptionsResult Validate(string? name, AzureStorageOptions options)
    {
        var errors = new List<string>();
        if (!options.UsesIdentity)
        {
            ValidateConnectionString(options, errors);
        }
        else if (options.TableServiceUri is null && options.BlobServiceUri is null)
        {
            errors.Add($"No storage account is configured: set {Prefix}ConnectionString (or {WebJobs}) to a connection string " +
                $"(UseDevelopmentStorage=true for Azurite), or {Prefix}TableServiceUri and {Prefix}BlobServiceUri for a managed identity.");
        }
        else
        {
            ValidateServiceUri(options.TableServiceUri, "TableServiceUri", options, errors);
            ValidateServiceUri(options.BlobServiceUri, "BlobServiceUri", options, errors);
        }

        if (!TableName().IsMatch(options.StateTableName ?? ""))
        {
            errors.Add($"{Prefix}StateTableName '{options.StateTableName}' is not a valid table name (3–63 letters and digits, starting with a letter).");
        }

        if (!TableName().IsMatch(options.AuditTableName ?? ""))
        {
            errors.Add($"{Prefix}AuditTableName '{options.AuditTableName}' is not a valid table name (3–63 letters and digits, starting with a letter).");
        }

        if (string.Equals(options.StateTableName, options.AuditTableName, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{Prefix}StateTableName and {Prefix}AuditTableName must differ (both are '{options.StateTableName}').");
        }

        if (!ContainerName().IsMatch(options.LeaseContainerName ?? "") || options.LeaseContainerName!.Contains("--", StringComparison.Ordinal))
        {
            errors.Add($"{Prefix}LeaseContainerName '{options.LeaseContainerName}' is not a valid container name " +
                "(3–63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit).");
        }

        if (options.LeaseDurationSeconds is < 15 or > 60)
        {
            errors.Add($"{Prefix}LeaseDurationSeconds must be between 15 and 60 (the range Azure blob leases allow); was {options.LeaseDurationSeconds}.");
        }

        if (options.LeaseRenewIntervalSeconds is double renew && (!(renew > 0) || renew > options.LeaseDurationSeconds / 2.0))
        {
            errors.Add($"{Prefix}LeaseRenewIntervalSeconds must be above 0 and at most half of LeaseDurationSeconds " +
                $"({options.LeaseDurationSeconds / 2.0:0.##}) so a lease survives a failed renewal; was {renew}.");
        }

        if (!(options.RequestTimeoutSeconds > 0 && options.RequestTimeoutSeconds <= 300))
        {
            errors.Add($"{Prefix}RequestTimeoutSeconds must be in (0, 300]; was {options.RequestTimeoutSeconds}.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            errors.Add($"{Prefix}MaxRetries must be in [0, 10]; was {options.MaxRetries}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateConnectionString(AzureStorageOptions options, List<string> errors)
    {
        try
        {
            // Parsing only; nothing is sent. The SDK's message may quote the string, so it is not passed on.
            _ = new TableServiceClient(options.ConnectionString);
            _ = new BlobServiceClient(options.ConnectionString);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            errors.Add($"{options.ConnectionSource} is not a usable storage connection string ({ex.GetType().Name}): it needs a table " +
                "and a blob endpoint (AccountName and AccountKey, explicit TableEndpoint/BlobEndpoint, or UseDevelopmentStorage=true).");
        }
    }

    private static void ValidateServiceUri(Uri? uri, string key, AzureStorageOptions options, List<string> errors)
    {
        var setting = options.ConnectionSource.StartsWith(WebJobs, StringComparison.Ordinal) ? options.ConnectionSource : Prefix + key;
        if (uri is null)
        {
            errors.Add($"{setting}: {key} is required with a managed identity (both TableServiceUri and BlobServiceUri).");
        }
        else if (!uri.IsAbsoluteUri || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri))))
        {
            errors.Add($"{setting}: {key} must be an absolute https URI (http only for a loopback emulator); was '{uri.GetLeftPart(UriPartial.Path)}'.");
        }
        else if (!string.IsNullOrEmpty(uri.Query))
        {
            errors.Add($"{setting}: {key} must not carry a query (a SAS token belongs in a connection string); was '{uri.GetLeftPart(UriPartial.Path)}?…'.");
        }
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip));

    private static Uri? AsUri(string? value) => Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : null;

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerName();
}
