using AiLbAutoscaler.Adapters.Metrics;
using AiLbAutoscaler.Adapters.Metrics.CloudMonitoring.Signals;
using AiLbAutoscaler.Adapters.Metrics.Configuration;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Metrics.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Metrics.Tests;

/// <summary>Binding and startup validation of the metrics settings, and the DI registration (no server involved).</summary>
[Trait("Area", "Metrics")]
public sealed class OptionsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-10T12:10:00Z");

    [Theory]
    [InlineData("WindowMinutes", "5", "Autoscaler:Stacks:inference:Metrics:WindowMinutes must be in [10, 1440]")]
    [InlineData("AlignmentPeriodSeconds", "30", "Autoscaler:Stacks:inference:Metrics:AlignmentPeriodSeconds must be in [60, 3600]")]
    [InlineData("Project", "", "Autoscaler:Stacks:inference:Metrics:Project is required")]
    [InlineData("Project", "My Project", "Autoscaler:Stacks:inference:Metrics:Project is required")]
    [InlineData("Region", "us-central1", "Autoscaler:Stacks:inference:Metrics: give Zone or Region, not both")]
    [InlineData("DisabledSignals:0", "latency", "Autoscaler:Stacks:inference:Metrics:DisabledSignals:0 'latency' is not a well-known signal")]
    [InlineData("Signals:0:Name", "bad name", "Autoscaler:Stacks:inference:Metrics:Signals:0:Name is required")]
    [InlineData("Signals:0:Aligner", "ALIGN_AVERAGE", "Autoscaler:Stacks:inference:Metrics:Signals:0:Aligner 'ALIGN_AVERAGE' is not a Cloud Monitoring aligner")]
    [InlineData("Signals:0:Reducer", "REDUCE_AVG", "Autoscaler:Stacks:inference:Metrics:Signals:0:Reducer 'REDUCE_AVG' is not a Cloud Monitoring reducer")]
    [InlineData("Signals:0:Filter", "resource.type = \"gce_instance\"", "Autoscaler:Stacks:inference:Metrics:Signals:0:Filter is required")]
    [InlineData("Signals:0:Percentile", "150", "Autoscaler:Stacks:inference:Metrics:Signals:0:Percentile must be in (0, 100] and goes with Aligner ALIGN_NONE")]
    [InlineData("Signals:0:IngestDelaySeconds", "600", "Autoscaler:Stacks:inference:Metrics:Signals:0:IngestDelaySeconds must be in [0, window)")]
    [InlineData("Signals:0:Query", "up", "Autoscaler:Stacks:inference:Metrics:Signals:0:Query is for Source=Prometheus")]
    [InlineData("Signals:0:CountQuery", "count(up)", "Autoscaler:Stacks:inference:Metrics:Signals:0:CountQuery is for Source=Prometheus")]
    public void A_bad_stack_setting_fails_startup_naming_its_path(string key, string value, string expected)
    {
        var settings = Valid();
        settings["Autoscaler:Stacks:inference:Metrics:" + key] = value;

        var failure = FailStartup(settings);

        Assert.Contains(failure.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Autoscaler:Metrics:Resilience:MaxRetryAttempts", "11", "Autoscaler:Metrics:Resilience:MaxRetryAttempts must be in [0, 10]")]
    [InlineData("Autoscaler:Metrics:Resilience:TotalTimeoutSeconds", "1", "Autoscaler:Metrics:Resilience:TotalTimeoutSeconds must be at least AttemptTimeoutSeconds")]
    [InlineData("Autoscaler:Metrics:CloudMonitoringEndpoint", "monitoring.googleapis.com", "Autoscaler:Metrics:CloudMonitoringEndpoint must be an absolute http(s) URL")]
    [InlineData("Autoscaler:Metrics:CredentialsFile", "/nonexistent/key.json", "Autoscaler:Metrics:CredentialsFile names a file that does not exist")]
    [InlineData("Autoscaler:Stacks:inference:Metrics:Source", "Prometheus", "Autoscaler:Stacks:inference:Metrics:PrometheusUrl must be an absolute http(s) URL when Source is Prometheus")]
    [InlineData("Autoscaler:Stacks:other:Policy:MaxSize", "3", "Autoscaler:Stacks:other:Metrics:Project is required")]
    public void A_bad_shared_or_missing_setting_fails_startup_naming_its_path(string key, string value, string expected)
    {
        var settings = Valid();
        settings[key] = value;

        Assert.Contains(FailStartup(settings).Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_enum_value_fails_naming_the_setting()
    {
        var settings = Valid();
        settings["Autoscaler:Stacks:inference:Metrics:Source"] = "Prometeus";
        using var provider = MetricsHost.Build(settings, new FrozenClock(Now));

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IOptions<MetricsOptions>>().Value);

        Assert.Contains("Autoscaler:Stacks:inference:Metrics:Source", error.Message);
    }

    [Fact]
    public void A_valid_configuration_binds_every_setting()
    {
        var settings = Valid();
        settings["Autoscaler:Stacks:inference:Metrics:LatencyMode"] = "RawDistribution";
        settings["Autoscaler:Stacks:inference:Metrics:GpuMetric"] = "Dcgm";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Aligner"] = "ALIGN_MAX";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:GroupBy:0"] = "resource.labels.zone";
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Reducer"] = "REDUCE_SUM";
        using var provider = MetricsHost.Build(settings, new FrozenClock(Now));

        provider.GetRequiredService<IStartupValidator>().Validate();
        var stack = provider.GetRequiredService<IOptions<MetricsOptions>>().Value.Stacks["INFERENCE"];

        Assert.Equal("my-proj", stack.Project);
        Assert.Equal(LatencyMode.RawDistribution, stack.LatencyMode);
        var queries = CloudMonitoringSignalCatalog.For(stack);
        Assert.Equal(["latency_p95_ms", "request_rate", "error_rate_5xx", "cpu_utilization", "gpu_utilization", "group_size", "queue_per_instance"],
            queries.Select(q => q.Signal));
        Assert.StartsWith("metric.type = \"workload.googleapis.com/gpu.dcgm.utilization\"", queries.Single(q => q.Signal == "gpu_utilization").Filter);
        var custom = queries.Single(q => q.Signal == "queue_per_instance");
        Assert.Equal(("ALIGN_MAX", "REDUCE_SUM"), (custom.Aligner, custom.Reducer));
        Assert.Equal(["resource.labels.zone"], custom.GroupBy);
    }

    [Fact]
    public void A_custom_signal_with_a_well_known_name_replaces_it()
    {
        var settings = Valid();
        settings["Autoscaler:Stacks:inference:Metrics:Signals:0:Name"] = "cpu_utilization";
        using var provider = MetricsHost.Build(settings, new FrozenClock(Now));
        var stack = provider.GetRequiredService<IOptions<MetricsOptions>>().Value.Stacks["inference"];

        var cpu = Assert.Single(CloudMonitoringSignalCatalog.For(stack), q => q.Signal == "cpu_utilization");

        Assert.Contains("vllm:num_requests_waiting", cpu.Filter);
    }

    [Fact]
    public void The_real_source_replaces_the_in_memory_default_in_either_order()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Valid()).Build();

        using var after = new ServiceCollection().AddLogging().AddAutoscalerCore(configuration).AddMetricsAdapters(configuration).BuildServiceProvider();
        using var before = new ServiceCollection().AddLogging().AddCloudMonitoringMetrics(configuration).AddAutoscalerCore(configuration).BuildServiceProvider();

        Assert.IsType<MetricsSource>(after.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName));
        Assert.IsType<MetricsSource>(before.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName));
    }

    private static void AddPrometheusStack(Dictionary<string, string?> settings, string stack, string? scrapeSeconds = null)
    {
        settings[$"Autoscaler:Stacks:{stack}:Metrics:Source"] = "Prometheus";
        settings[$"Autoscaler:Stacks:{stack}:Metrics:PrometheusUrl"] = "http://127.0.0.1:9090";
        settings[$"Autoscaler:Stacks:{stack}:Metrics:Signals:0:Name"] = "queue_per_instance";
        settings[$"Autoscaler:Stacks:{stack}:Metrics:Signals:0:Query"] = "avg(vllm:num_requests_waiting)";
        if (scrapeSeconds is not null)
        {
            settings[$"Autoscaler:Stacks:{stack}:Metrics:PrometheusScrapeIntervalSeconds"] = scrapeSeconds;
        }
    }

    [Fact]
    public void A_scrape_interval_out_of_range_fails_startup_naming_it()
    {
        var settings = Valid();
        AddPrometheusStack(settings, "batch", "0");

        Assert.Contains(FailStartup(settings).Failures, f => f.StartsWith("Autoscaler:Stacks:batch:Metrics:PrometheusScrapeIntervalSeconds must be in [1, 3600] (was 0)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_sample_period_is_the_alignment_period_on_cloud_monitoring_and_the_scrape_interval_on_prometheus()
    {
        var settings = Valid();
        AddPrometheusStack(settings, "batch");
        AddPrometheusStack(settings, "scraped", "30");
        using var provider = MetricsHost.Build(settings, new FrozenClock(Now));
        var source = provider.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName);

        Assert.Equal(TimeSpan.FromSeconds(60), source.SamplePeriod("inference"));
        Assert.Equal(TimeSpan.FromSeconds(15), source.SamplePeriod("batch"));
        Assert.Equal(TimeSpan.FromSeconds(30), source.SamplePeriod("scraped"));
        Assert.Null(source.SamplePeriod("unknown"));
    }

    [Fact]
    public async Task An_unconfigured_stack_reads_as_all_missing_and_is_logged()
    {
        var logs = new ListLoggerProvider();
        using var provider = MetricsHost.Build(Valid(), new FrozenClock(Now), new StaticAccessTokenSourceStandIn(MetricsHost.Token), logs);

        var observation = await provider.GetRequiredKeyedService<IMetricsSource>(MetricsSource.AdapterName).ObserveAsync("unknown", CancellationToken.None);

        Assert.Empty(observation.Signals);
        Assert.Contains(logs.Entries, e => e.Message.StartsWith("Stack unknown has no Autoscaler:Stacks:unknown:Metrics settings", StringComparison.Ordinal));
    }

    private static OptionsValidationException FailStartup(Dictionary<string, string?> settings)
    {
        using var provider = MetricsHost.Build(settings, new FrozenClock(Now));
        var error = Assert.Throws<AggregateException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        return error.InnerExceptions.OfType<OptionsValidationException>().First(e => e.OptionsType == typeof(MetricsOptions));
    }

    private static Dictionary<string, string?> Valid() => new()
    {
        ["Autoscaler:Stacks:inference:Metrics:Project"] = "my-proj",
        ["Autoscaler:Stacks:inference:Metrics:BackendServiceName"] = "llm-backend",
        ["Autoscaler:Stacks:inference:Metrics:InstanceGroupName"] = "llm-mig",
        ["Autoscaler:Stacks:inference:Metrics:Zone"] = "us-central1-a",
        ["Autoscaler:Stacks:inference:Metrics:Signals:0:Name"] = "queue_per_instance",
        ["Autoscaler:Stacks:inference:Metrics:Signals:0:Filter"] = "metric.type = \"prometheus.googleapis.com/vllm:num_requests_waiting/gauge\"",
    };
}
