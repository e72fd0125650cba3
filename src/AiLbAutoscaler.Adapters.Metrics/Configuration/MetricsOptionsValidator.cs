using AiLbAutoscaler.Adapters.Metrics.CloudMonitoring.Signals;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Adapters.Metrics.Configuration;

/// <summary>Fails startup on a bad metrics setting, naming it by its configuration path.</summary>
public sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    private static readonly HashSet<string> Aligners =
    [
        "ALIGN_NONE", "ALIGN_DELTA", "ALIGN_RATE", "ALIGN_INTERPOLATE", "ALIGN_NEXT_OLDER", "ALIGN_MIN", "ALIGN_MAX",
        "ALIGN_MEAN", "ALIGN_COUNT", "ALIGN_SUM", "ALIGN_STDDEV", "ALIGN_COUNT_TRUE", "ALIGN_COUNT_FALSE",
        "ALIGN_FRACTION_TRUE", "ALIGN_PERCENTILE_99", "ALIGN_PERCENTILE_95", "ALIGN_PERCENTILE_50", "ALIGN_PERCENTILE_05",
        "ALIGN_PERCENT_CHANGE",
    ];

    private static readonly HashSet<string> Reducers =
    [
        "REDUCE_NONE", "REDUCE_MEAN", "REDUCE_MIN", "REDUCE_MAX", "REDUCE_SUM", "REDUCE_STDDEV", "REDUCE_COUNT",
        "REDUCE_COUNT_TRUE", "REDUCE_COUNT_FALSE", "REDUCE_FRACTION_TRUE", "REDUCE_PERCENTILE_99", "REDUCE_PERCENTILE_95",
        "REDUCE_PERCENTILE_50", "REDUCE_PERCENTILE_05",
    ];

    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var errors = new List<string>();
        var root = MetricsOptions.SectionPath;
        if (!IsHttpUrl(options.CloudMonitoringEndpoint))
        {
            errors.Add($"{root}:CloudMonitoringEndpoint must be an absolute http(s) URL (was '{options.CloudMonitoringEndpoint}').");
        }

        if (!string.IsNullOrWhiteSpace(options.CredentialsFile) && !File.Exists(options.CredentialsFile))
        {
            errors.Add($"{root}:CredentialsFile names a file that does not exist: '{options.CredentialsFile}'.");
        }

        var r = options.Resilience;
        if (r.MaxRetryAttempts is < 0 or > 10)
        {
            errors.Add($"{root}:Resilience:MaxRetryAttempts must be in [0, 10] (was {r.MaxRetryAttempts}).");
        }

        if (r.BaseDelayMilliseconds is < 1 or > 60_000)
        {
            errors.Add($"{root}:Resilience:BaseDelayMilliseconds must be in [1, 60000] (was {r.BaseDelayMilliseconds}).");
        }

        if (!(r.AttemptTimeoutSeconds is >= 1 and <= 300))
        {
            errors.Add($"{root}:Resilience:AttemptTimeoutSeconds must be in [1, 300] (was {r.AttemptTimeoutSeconds}).");
        }

        if (!(r.TotalTimeoutSeconds >= r.AttemptTimeoutSeconds && r.TotalTimeoutSeconds <= 600))
        {
            errors.Add($"{root}:Resilience:TotalTimeoutSeconds must be at least AttemptTimeoutSeconds and at most 600 (was {r.TotalTimeoutSeconds}).");
        }

        if (options.Stacks.Count == 0)
        {
            errors.Add($"{MetricsOptions.StacksPath} names no stack; give each stack a Metrics section (for example {MetricsOptions.StacksPath.Replace(":", "__")}__inference__Metrics__Project).");
        }

        foreach (var (stack, settings) in options.Stacks)
        {
            ValidateStack($"{MetricsOptions.StacksPath}:{stack}:Metrics", settings, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateStack(string path, StackMetricsOptions s, List<string> errors)
    {
        if (s.WindowMinutes is < 10 or > 1440)
        {
            errors.Add($"{path}:WindowMinutes must be in [10, 1440] so the window reaches past the ingestion delay (was {s.WindowMinutes}).");
        }

        if (s.AlignmentPeriodSeconds is < 60 or > 3600)
        {
            errors.Add($"{path}:AlignmentPeriodSeconds must be in [60, 3600] (was {s.AlignmentPeriodSeconds}).");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < s.Signals.Count; i++)
        {
            var signal = s.Signals[i];
            var at = $"{path}:Signals:{i}";
            if (string.IsNullOrWhiteSpace(signal.Name) || !signal.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':') || signal.Name.Length > 100)
            {
                errors.Add($"{at}:Name is required: letters, digits, '_', '-', '.', ':' (was '{signal.Name}').");
            }
            else if (!names.Add(signal.Name))
            {
                errors.Add($"{at}:Name '{signal.Name}' is configured twice.");
            }

            if (!double.IsFinite(signal.Scale) || signal.Scale == 0)
            {
                errors.Add($"{at}:Scale must be a finite non-zero number (was {signal.Scale}).");
            }
        }

        if (s.Record.ChunkMinutes is < 1 or > 10_000)
        {
            errors.Add($"{path}:Record:ChunkMinutes must be in [1, 10000] (Prometheus allows 11,000 points per series per range query) (was {s.Record.ChunkMinutes}).");
        }

        if (s.Record.RetentionDays is < 1)
        {
            errors.Add($"{path}:Record:RetentionDays must be at least 1 day when given (was {s.Record.RetentionDays}).");
        }

        if (s.Source == MetricsSourceKind.Prometheus)
        {
            ValidatePrometheus(path, s, errors);
        }
        else
        {
            ValidateCloudMonitoring(path, s, errors);
        }
    }

    private static void ValidatePrometheus(string path, StackMetricsOptions s, List<string> errors)
    {
        if (!IsHttpUrl(s.PrometheusUrl))
        {
            errors.Add($"{path}:PrometheusUrl must be an absolute http(s) URL when Source is Prometheus (was '{s.PrometheusUrl}').");
        }

        if (s.Signals.Count == 0)
        {
            errors.Add($"{path}:Signals must list at least one PromQL signal (Name and Query) when Source is Prometheus.");
        }

        if (s.PrometheusScrapeIntervalSeconds is < 1 or > 3600)
        {
            errors.Add($"{path}:PrometheusScrapeIntervalSeconds must be in [1, 3600] (was {s.PrometheusScrapeIntervalSeconds}).");
        }

        if (s.PrometheusEvaluationDelaySeconds is < 0 or > 3600)
        {
            errors.Add($"{path}:PrometheusEvaluationDelaySeconds must be in [0, 3600] (was {s.PrometheusEvaluationDelaySeconds}).");
        }

        for (var i = 0; i < s.Signals.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(s.Signals[i].Query))
            {
                errors.Add($"{path}:Signals:{i}:Query is required when Source is Prometheus.");
            }

            if (!string.IsNullOrWhiteSpace(s.Signals[i].Filter))
            {
                errors.Add($"{path}:Signals:{i}:Filter is for Source=CloudMonitoring; a Prometheus signal takes a Query.");
            }
        }
    }

    private static void ValidateCloudMonitoring(string path, StackMetricsOptions s, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(s.Project) || !s.Project.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or ':' or '.'))
        {
            errors.Add($"{path}:Project is required: a GCP project id or number (was '{s.Project}').");
        }

        if (!string.IsNullOrEmpty(s.Zone) && !string.IsNullOrEmpty(s.Region))
        {
            errors.Add($"{path}: give Zone or Region, not both (Zone '{s.Zone}', Region '{s.Region}').");
        }

        if (string.IsNullOrWhiteSpace(s.BackendServiceName) && string.IsNullOrWhiteSpace(s.InstanceGroupName) && s.Signals.Count == 0)
        {
            errors.Add($"{path}: set BackendServiceName, InstanceGroupName or Signals; otherwise no signal is read.");
        }

        if (s.ReadInstanceAges && string.IsNullOrWhiteSpace(s.InstanceGroupName))
        {
            errors.Add($"{path}:ReadInstanceAges needs InstanceGroupName.");
        }

        for (var i = 0; i < s.DisabledSignals.Count; i++)
        {
            if (!CloudMonitoringSignalCatalog.WellKnown.Any(w => string.Equals(w.Name, s.DisabledSignals[i], StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"{path}:DisabledSignals:{i} '{s.DisabledSignals[i]}' is not a well-known signal ({string.Join(", ", CloudMonitoringSignalCatalog.WellKnown.Select(w => w.Name))}).");
            }
        }

        for (var i = 0; i < s.Signals.Count; i++)
        {
            ValidateCustom($"{path}:Signals:{i}", s.Signals[i], s, errors);
        }
    }

    private static void ValidateCustom(string at, CustomSignalOptions c, StackMetricsOptions s, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(c.Filter) || !c.Filter.Contains("metric.type", StringComparison.Ordinal))
        {
            errors.Add($"{at}:Filter is required and must name one metric type (metric.type = \"…\").");
        }

        if (!string.IsNullOrWhiteSpace(c.Query))
        {
            errors.Add($"{at}:Query is for Source=Prometheus; a Cloud Monitoring signal takes Filter, Aligner and Reducer.");
        }

        if (!string.IsNullOrWhiteSpace(c.CountQuery))
        {
            errors.Add($"{at}:CountQuery is for Source=Prometheus; Cloud Monitoring counts the instances of a per-instance mean itself.");
        }

        var aligner = c.Aligner?.Trim();
        var reducer = c.Reducer?.Trim();
        if (!string.IsNullOrEmpty(aligner) && !Aligners.Contains(aligner))
        {
            errors.Add($"{at}:Aligner '{aligner}' is not a Cloud Monitoring aligner (ALIGN_MEAN, ALIGN_RATE, ALIGN_DELTA, …).");
        }

        if (!string.IsNullOrEmpty(reducer) && !Reducers.Contains(reducer))
        {
            errors.Add($"{at}:Reducer '{reducer}' is not a Cloud Monitoring reducer (REDUCE_MEAN, REDUCE_SUM, REDUCE_PERCENTILE_95, …).");
        }

        var raw = aligner == "ALIGN_NONE" || (string.IsNullOrEmpty(aligner) && c.Percentile is not null);
        if (raw && !string.IsNullOrEmpty(reducer) && reducer != "REDUCE_NONE")
        {
            errors.Add($"{at}:Reducer needs an aligner other than ALIGN_NONE.");
        }

        if (c.Percentile is { } p && (!(p > 0 && p <= 100) || !raw))
        {
            errors.Add($"{at}:Percentile must be in (0, 100] and goes with Aligner ALIGN_NONE (raw DISTRIBUTION points) (was {p}).");
        }

        var effectiveReducer = string.IsNullOrEmpty(reducer) ? (raw ? null : "REDUCE_MEAN") : reducer;
        if (c.GroupBy.Count > 0 && effectiveReducer is null or "REDUCE_NONE")
        {
            errors.Add($"{at}:GroupBy needs a cross-series reducer.");
        }

        if (c.IngestDelaySeconds < 0 || c.IngestDelaySeconds >= s.WindowMinutes * 60)
        {
            errors.Add($"{at}:IngestDelaySeconds must be in [0, window) (was {c.IngestDelaySeconds}).");
        }
    }

    private static bool IsHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
