using AiLbAutoscaler.Adapters.Metrics.CloudMonitoring;
using AiLbAutoscaler.Adapters.Metrics.Configuration;
using AiLbAutoscaler.Adapters.Metrics.Prometheus;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Security;
using AiLbAutoscaler.Core.Signals;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Adapters.Metrics;

/// <summary>
/// The real <see cref="IMetricsSource"/>: reads each stack's signals from Cloud Monitoring or a PromQL endpoint, all
/// signals of a tick in parallel. A signal that still fails after the HTTP pipeline's retries is returned as missing with
/// the reason (and logged); only cancellation throws.
/// </summary>
public sealed class MetricsSource : IMetricsSource
{
    /// <summary>The adapter name that selects this source (<c>Autoscaler:Metrics:Source</c>, <c>Autoscaler:Stacks:{stack}:Metrics:Adapter</c>); it serves Cloud Monitoring and PromQL per stack.</summary>
    public const string AdapterName = "CloudMonitoring";

    private readonly IOptions<MetricsOptions> _options;
    private readonly CloudMonitoringReader _cloudMonitoring;
    private readonly PrometheusReader _prometheus;
    private readonly TimeProvider _time;
    private readonly ILogger<MetricsSource> _logger;
    private readonly SecretRedactor _redactor;

    internal MetricsSource(IOptions<MetricsOptions> options, CloudMonitoringReader cloudMonitoring, PrometheusReader prometheus, TimeProvider time, ILogger<MetricsSource> logger, SecretRedactor redactor)
    {
        _redactor = redactor;
        _options = options;
        _cloudMonitoring = cloudMonitoring;
        _prometheus = prometheus;
        _time = time;
        _logger = logger;
    }

    /// <summary>Cloud Monitoring: the alignment period (its samples are 60 s); Prometheus: the scrape interval.</summary>
    public TimeSpan? SamplePeriod(string stack) => _options.Value.Stacks.TryGetValue(stack, out var settings)
        ? TimeSpan.FromSeconds(settings.Source == MetricsSourceKind.Prometheus ? settings.PrometheusScrapeIntervalSeconds : settings.AlignmentPeriodSeconds)
        : null;

    public async Task<Observation> ObserveAsync(string stack, CancellationToken cancellationToken)
    {
        if (!_options.Value.Stacks.TryGetValue(stack, out var settings))
        {
            _logger.LogWarning("Stack {Stack} has no {Path} settings; every signal is missing", stack, $"{MetricsOptions.StacksPath}:{stack}:Metrics");
            return Observation.Empty;
        }

        var now = _time.GetUtcNow();
        var jobs = settings.Source == MetricsSourceKind.Prometheus ? _prometheus.Plan(stack, settings, now) : _cloudMonitoring.Plan(stack, settings, now);
        var readings = jobs.Select(job => ReadAsync(stack, job, cancellationToken)).ToArray();
        var ages = settings.Source == MetricsSourceKind.CloudMonitoring
            ? _cloudMonitoring.ReadInstanceAgesAsync(stack, settings, now, cancellationToken)
            : Task.FromResult<IReadOnlyList<TimeSpan>?>(null);
        var signals = await Task.WhenAll(readings).ConfigureAwait(false);
        return new Observation(signals, await ages.ConfigureAwait(false));
    }

    private async Task<SignalReading> ReadAsync(string stack, SignalJob job, CancellationToken cancellationToken)
    {
        try
        {
            var reading = await job.Read(cancellationToken).ConfigureAwait(false);
            if (!reading.HasValue)
            {
                // A problem may quote an error body: it leaves here (evaluate, status, audit, log) masked.
                reading = reading with { Problem = _redactor.Redact(reading.Problem) };
                _logger.LogWarning("Stack {Stack}: signal {Signal} is missing: {Reason} (query: {Query})", stack, job.Signal, reading.Problem, job.Query);
            }

            return reading;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var reason = _redactor.Redact(MetricsHttp.Describe(ex));
            _logger.LogWarning("Stack {Stack}: signal {Signal} failed: {Reason} (query: {Query})", stack, job.Signal, reason, job.Query);
            return SignalReading.Missing(job.Signal, reason);
        }
    }
}
