using System.Collections;
using System.Reflection;
using System.Text.Json;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Functions.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>The settings sample starts the app as it is, and lists every option the app binds.</summary>
[Trait("Area", "Functions")]
public sealed class SettingsSampleTests
{
    private static readonly Lazy<Dictionary<string, string?>> Sample = new(Load);

    [Fact]
    public async Task The_sample_settings_start_the_app()
    {
        await using var app = await TestApp.StartAsync(Sample.Value);

        Assert.Equal(["batch", "inference"], app.Get<AutoscaleController>().Stacks.Order(StringComparer.Ordinal));
        Assert.Equal(4, app.Get<AutoscaleController>().PolicyFor("inference").Signals.Count);
    }

    [Fact]
    public void The_sample_lists_every_option()
    {
        var expected = new List<string>
        {
            "AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", ScheduleOptions.AutoscaleSetting, ScheduleOptions.PruneSetting,
            ScheduleOptions.TickQueueSetting,
            AiLbAutoscaler.Core.Routing.StackAdapterSelection.MetricsSetting, AiLbAutoscaler.Core.Routing.StackAdapterSelection.ActuatorSetting, AdapterSelection.StorageSetting, AdapterSelection.DispatchSetting,
            OpenTelemetryRegistration.OtlpEndpointSetting, OpenTelemetryRegistration.AzureMonitorSetting,
        };
        expected.AddRange(Leaves(typeof(AutoscalerOptions), AutoscalerOptions.SectionName));
        expected.AddRange(Leaves(typeof(HttpApiOptions), HttpApiOptions.SectionName));

        var missing = expected.Where(k => !Sample.Value.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, "local.settings.sample.json lacks: " + string.Join(", ", missing));
    }

    /// <summary>The configuration keys of every settable option below a type; dictionaries use the sample's stack "inference".</summary>
    private static IEnumerable<string> Leaves(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
        {
            var key = $"{prefix}:{property.Name}";
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal))
            {
                yield return key;
            }
            else if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                foreach (var leaf in Leaves(t.GetGenericArguments()[1], $"{key}:inference"))
                {
                    yield return leaf;
                }
            }
            else if (typeof(IList).IsAssignableFrom(t) && t.IsGenericType)
            {
                foreach (var leaf in Leaves(t.GetGenericArguments()[0], $"{key}:0"))
                {
                    yield return leaf;
                }
            }
            else if (t.IsClass)
            {
                foreach (var leaf in Leaves(t, key))
                {
                    yield return leaf;
                }
            }
        }
    }

    /// <summary>The sample's Values as the worker sees them: app settings nest with "__", configuration with ":".</summary>
    private static Dictionary<string, string?> Load()
    {
        var path = Path.Combine(AiLbAutoscaler.Tests.Shared.RepositoryRoot.Path, "local.settings.sample.json");
        Assert.True(File.Exists(path), $"No local.settings.sample.json at the top of {AiLbAutoscaler.Tests.Shared.RepositoryRoot.Path}.");
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.GetString(), StringComparer.OrdinalIgnoreCase);
    }
}
