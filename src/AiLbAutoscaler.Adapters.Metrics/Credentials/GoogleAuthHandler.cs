using System.Net.Http.Headers;
using AiLbAutoscaler.Core.Security;
using Google.Apis.Auth.OAuth2.Responses;

namespace AiLbAutoscaler.Adapters.Metrics.Credentials;

/// <summary>
/// Adds <c>Authorization: Bearer …</c> to requests that ask for it (<see cref="UseGoogleCredentials"/>). Runs inside the
/// retry pipeline, so every attempt carries a current token. The token is never logged (the client redacts header values).
/// </summary>
public sealed class GoogleAuthHandler(IAccessTokenSource tokens, SecretRedactor redactor) : DelegatingHandler
{
    public static readonly HttpRequestOptionsKey<bool> UseGoogleCredentials = new("AiLbAutoscaler.UseGoogleCredentials");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(UseGoogleCredentials, out var use) && use)
        {
            string token;
            try
            {
                token = await tokens.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (TokenResponseException ex)
            {
                // The token endpoint's description may echo the request (the signed JWT assertion). This handler runs
                // inside the resilience pipeline, which logs what it sees: only a masked message leaves, with no inner exception.
                throw new MetricsQueryException(
                    $"credentials: token request failed ({ex.Error?.Error ?? "no error code"}): {redactor.Redact(MetricsHttp.Excerpt(ex.Error?.ErrorDescription ?? ""))}");
            }

            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
