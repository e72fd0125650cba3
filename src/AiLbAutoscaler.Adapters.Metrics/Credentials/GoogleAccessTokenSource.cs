using System.Text.Json;
using AiLbAutoscaler.Adapters.Metrics.Configuration;
using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Adapters.Metrics.Credentials;

/// <summary>
/// Google credentials with scope <c>monitoring.read</c>: the configured credential file (a service-account key or a
/// workload-identity-federation <c>external_account</c> configuration, e.g. Azure managed identity → GCP), otherwise
/// Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, the GCE metadata server). Google.Apis.Auth
/// caches and refreshes the token.
/// </summary>
public sealed class GoogleAccessTokenSource(IOptions<MetricsOptions> options) : IAccessTokenSource
{
    public const string MonitoringReadScope = "https://www.googleapis.com/auth/monitoring.read";

    /// <summary>The credential file types accepted from <see cref="MetricsOptions.CredentialsFile"/>.</summary>
    private static readonly string[] AcceptedTypes =
    [
        JsonCredentialParameters.ServiceAccountCredentialType,
        JsonCredentialParameters.ExternalAccountCredentialType,
        JsonCredentialParameters.ImpersonatedServiceAccountCredentialType,
        JsonCredentialParameters.AuthorizedUserCredentialType,
    ];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private ITokenAccess? _credential;

    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        var credential = _credential ?? await CreateAsync(cancellationToken).ConfigureAwait(false);
        return await credential.GetAccessTokenForRequestAsync(null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ITokenAccess> CreateAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_credential is null)
            {
                var file = options.Value.CredentialsFile;
                var google = string.IsNullOrWhiteSpace(file)
                    ? await GoogleCredential.GetApplicationDefaultAsync(cancellationToken).ConfigureAwait(false)
                    : await CredentialFactory.FromFileAsync(file, CredentialType(file), cancellationToken).ConfigureAwait(false);
                _credential = google.CreateScoped(MonitoringReadScope);
            }

            return _credential;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The file's <c>type</c>, checked against the accepted kinds (the file's content never appears in errors).</summary>
    private static string CredentialType(string file)
    {
        string? type;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            type = doc.RootElement.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new MetricsQueryException($"credentials: cannot read {MetricsOptions.SectionPath}:CredentialsFile '{file}': {ex.GetType().Name}");
        }

        return type is not null && AcceptedTypes.Contains(type)
            ? type
            : throw new MetricsQueryException(
                $"credentials: {MetricsOptions.SectionPath}:CredentialsFile '{file}' has type '{type ?? "(none)"}'; expected one of {string.Join(", ", AcceptedTypes)}");
    }
}
