using AiLbAutoscaler.Core.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class SecretRedactorServiceCollectionExtensions
{
    /// <summary>
    /// The one <see cref="SecretRedactor"/> of the process: the secrets of the environment and of <paramref name="configuration"/>
    /// (by setting name, connection-string part and credential file), plus the secret shapes. Every adapter and host
    /// calls this; the first registration wins.
    /// </summary>
    public static IServiceCollection AddSecretRedactor(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(_ => SecretSettings.Redactor(configuration));
        return services;
    }
}
