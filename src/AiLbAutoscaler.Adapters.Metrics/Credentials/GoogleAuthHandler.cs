using System.Net.Http.Headers;

namespace AiLbAutoscaler.Adapters.Metrics.Credentials;

/// <summary>
/// Adds <c>Authorization: Bearer …</c> to requests that ask for it (<see cref="UseGoogleCredentials"/>). Runs inside the
/// retry pipeline, so every attempt carries a current token. The token is never logged (the client redacts header values).
/// </summary>
public sealed class GoogleAuthHandler(IAccessTokenSource tokens) : DelegatingHandler
{
    public static readonly HttpRequestOptionsKey<bool> UseGoogleCredentials = new("AiLbAutoscaler.UseGoogleCredentials");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(UseGoogleCredentials, out var use) && use)
        {
            var token = await tokens.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
