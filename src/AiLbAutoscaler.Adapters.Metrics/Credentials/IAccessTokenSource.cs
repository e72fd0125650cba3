namespace AiLbAutoscaler.Adapters.Metrics.Credentials;

/// <summary>Supplies an OAuth access token for Google APIs. Tokens never reach logs or error messages.</summary>
public interface IAccessTokenSource
{
    Task<string> GetAccessTokenAsync(CancellationToken cancellationToken);
}
