using AiLbAutoscaler.Adapters.Metrics;
using AiLbAutoscaler.Adapters.Metrics.CloudMonitoring;
using AiLbAutoscaler.Adapters.Metrics.Configuration;
using AiLbAutoscaler.Adapters.Metrics.Credentials;
using AiLbAutoscaler.Adapters.Metrics.Prometheus;
using AiLbAutoscaler.Core.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class MetricsServiceCollectionExtensions
{
    /// <summary>
    /// The real metrics source (Cloud Monitoring REST v3 and PromQL), registered under <see cref="MetricsSource.AdapterName"/>
    /// for the stacks whose <c>Autoscaler:Stacks:{stack}:Metrics:Adapter</c> (or <c>Autoscaler:Metrics:Source</c>) names
    /// it; without AddAutoscalerCore's selection it serves every stack. Settings: <c>Autoscaler:Metrics</c> and
    /// <c>Autoscaler:Stacks:{stack}:Metrics</c>, validated at startup. Requests go through the standard resilience
    /// pipeline (jittered exponential retries on 429, 5xx and transport errors; per-attempt and total timeouts).
    /// </summary>
    public static IServiceCollection AddMetricsAdapters(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<MetricsOptions>>(provider => new MetricsOptionsSetup(configuration, provider.GetService<StackAdapterSelection>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddSecretRedactor(configuration);
        services.TryAddSingleton<IAccessTokenSource, GoogleAccessTokenSource>();
        services.TryAddTransient<GoogleAuthHandler>();
        services.TryAddSingleton<CloudMonitoringClient>();
        services.TryAddSingleton<CloudMonitoringReader>();
        services.TryAddSingleton<PrometheusReader>();
        services.TryAddSingleton(provider => new AiLbAutoscaler.Adapters.Metrics.Recording.TrafficRecorder(provider.GetRequiredService<IOptions<MetricsOptions>>(),
            provider.GetRequiredService<CloudMonitoringClient>(), provider.GetRequiredService<IHttpClientFactory>(), provider.GetRequiredService<TimeProvider>()));

        var http = services.AddHttpClient(MetricsHttp.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RedactLoggedHeaders(_ => true);
        http.AddStandardResilienceHandler()
            .Configure((resilience, provider) => Apply(provider.GetRequiredService<IOptions<MetricsOptions>>().Value.Resilience, resilience))
            .SelectPipelineByAuthority();
        http.AddHttpMessageHandler<GoogleAuthHandler>();

        services.AddMetricsSourceAdapter(MetricsSource.AdapterName, provider => new MetricsSource(
            provider.GetRequiredService<IOptions<MetricsOptions>>(),
            provider.GetRequiredService<CloudMonitoringReader>(),
            provider.GetRequiredService<PrometheusReader>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<Logging.ILogger<MetricsSource>>(),
            provider.GetRequiredService<AiLbAutoscaler.Core.Security.SecretRedactor>()));
        return services;
    }

    /// <summary>Same as <see cref="AddMetricsAdapters"/> (the name the core's documentation uses).</summary>
    public static IServiceCollection AddCloudMonitoringMetrics(this IServiceCollection services, IConfiguration configuration) =>
        services.AddMetricsAdapters(configuration);

    private static void Apply(MetricsResilienceOptions settings, HttpStandardResilienceOptions resilience)
    {
        resilience.Retry.MaxRetryAttempts = Math.Max(settings.MaxRetryAttempts, 0);
        resilience.Retry.Delay = TimeSpan.FromMilliseconds(settings.BaseDelayMilliseconds);
        resilience.Retry.BackoffType = Polly.DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        var random = new Random(settings.JitterSeed);
        resilience.Retry.Randomizer = () =>
        {
            lock (random)
            {
                return random.NextDouble();
            }
        };
        resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(settings.AttemptTimeoutSeconds);
        resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(settings.TotalTimeoutSeconds);
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, 2 * settings.AttemptTimeoutSeconds));
    }
}
