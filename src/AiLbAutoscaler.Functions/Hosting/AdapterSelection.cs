using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Functions.Hosting;

public enum MetricsSourceKind
{
    /// <summary>The in-memory stand-in: every signal reads as missing unless a test sets it.</summary>
    InMemory,
    CloudMonitoring,
}

public enum ActuatorKind
{
    /// <summary>The in-memory stand-in: sizes change in process memory only.</summary>
    InMemory,
    Pulumi,
}

/// <summary>How the Autoscale timer gets the stacks ticked (<c>Autoscaler:Dispatch</c>).</summary>
public enum DispatchMode
{
    /// <summary>The timer invocation ticks every stack itself, Autoscaler:MaxParallelStacks at a time: one instance, local runs.</summary>
    Inline,

    /// <summary>The timer enqueues one message per stack; the queue-triggered TickStack function ticks each, scaled out by the platform.</summary>
    Queue,
}

/// <summary>
/// Which adapter serves each port, from settings. Program.cs registers the real adapters by this; the in-memory
/// stand-ins of AddAutoscalerCore fill whatever is left.
/// </summary>
public sealed record AdapterSelection(MetricsSourceKind Metrics, ActuatorKind Actuator, bool Storage, DispatchMode Dispatch = DispatchMode.Inline)
{
    public const string MetricsSetting = "Autoscaler:Metrics:Source";
    public const string ActuatorSetting = "Autoscaler:Actuator";
    public const string StorageSetting = "Autoscaler:Storage:Enabled";
    public const string DispatchSetting = "Autoscaler:Dispatch";

    /// <summary>
    /// Reads the selection. Dispatch defaults to Queue wherever storage is enabled (the queue is Azure Storage), else Inline.
    /// </summary>
    /// <exception cref="InvalidOperationException">A setting has a value that names no adapter; the message names the setting.</exception>
    public static AdapterSelection From(IConfiguration configuration)
    {
        var storage = ParseBool(configuration, StorageSetting);
        var dispatch = ParseEnum(configuration, DispatchSetting, storage ? DispatchMode.Queue : DispatchMode.Inline);
        if (dispatch == DispatchMode.Queue && !storage)
        {
            throw new InvalidOperationException(
                $"{DispatchSetting} is Queue, but {StorageSetting} is false: the tick queue is Azure Storage. Enable storage, or set " +
                $"{DispatchSetting} to Inline for a one-instance run. App settings: {Env(DispatchSetting)}, {Env(StorageSetting)}.");
        }

        return new(
            ParseEnum(configuration, MetricsSetting, MetricsSourceKind.InMemory),
            ParseEnum(configuration, ActuatorSetting, ActuatorKind.InMemory),
            storage,
            dispatch);
    }

    private static string Env(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static T ParseEnum<T>(IConfiguration configuration, string key, T fallback)
        where T : struct, Enum
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return Enum.TryParse<T>(text.Trim(), ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new InvalidOperationException(
                $"{key} must be one of {string.Join(", ", Enum.GetNames<T>())} (was '{text}'). App setting: {key.Replace(":", "__", StringComparison.Ordinal)}.");
    }

    private static bool ParseBool(IConfiguration configuration, string key)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        return bool.TryParse(text.Trim(), out var value)
            ? value
            : throw new InvalidOperationException(
                $"{key} must be true or false (was '{text}'). App setting: {key.Replace(":", "__", StringComparison.Ordinal)}.");
    }
}

/// <summary>The options type the adapter wiring check hangs on, so that it runs with the other startup validation.</summary>
public sealed class AdapterWiringOptions
{
}

/// <summary>
/// At startup (before any hosted service, the worker's connection to the host included), checks that each port is served
/// by the adapter the settings ask for, so a setting that names a real adapter never runs silently on an in-memory
/// stand-in; logs a warning for every stand-in in use.
/// </summary>
public sealed class AdapterWiringCheck(IServiceProvider services, IConfiguration configuration, ILogger<AdapterWiringCheck> logger)
    : IValidateOptions<AdapterWiringOptions>
{
    public ValidateOptionsResult Validate(string? name, AdapterWiringOptions options)
    {
        AdapterSelection selection;
        try
        {
            selection = AdapterSelection.From(configuration);
        }
        catch (InvalidOperationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }

        var problems = new List<string>();
        Check(services.GetRequiredService<IMetricsSource>() is InMemoryMetricsSource,
            selection.Metrics != MetricsSourceKind.InMemory, AdapterSelection.MetricsSetting, selection.Metrics.ToString(), "metrics source", problems);
        Check(services.GetRequiredService<IFleetActuator>() is InMemoryFleetActuator,
            selection.Actuator != ActuatorKind.InMemory, AdapterSelection.ActuatorSetting, selection.Actuator.ToString(), "actuator", problems);
        var storageIsStandIn = services.GetRequiredService<IStackStateStore>() is InMemoryStackStateStore
            || services.GetRequiredService<IStackLock>() is InMemoryStackLock
            || services.GetRequiredService<IAuditLog>() is InMemoryAuditLog;
        Check(storageIsStandIn, selection.Storage, AdapterSelection.StorageSetting, "true", "state store, lock and audit log", problems);
        if (selection.Dispatch == DispatchMode.Queue && services.GetService<ITickQueue>() is null)
        {
            problems.Add($"{AdapterSelection.DispatchSetting} is 'Queue', but no tick queue adapter is registered in Program.cs.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private void Check(bool isStandIn, bool realAsked, string setting, string value, string port, List<string> problems)
    {
        if (isStandIn && realAsked)
        {
            problems.Add($"{setting} is '{value}', but no such {port} adapter is registered in Program.cs.");
        }
        else if (isStandIn)
        {
            logger.LogWarning("The {Port} is the in-memory stand-in ({Setting} selects a real one): nothing outside this process is read or changed", port, setting);
        }
    }
}
