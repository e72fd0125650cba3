using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Functions.Hosting;

/// <summary>How the Autoscale timer gets the stacks ticked (<c>Autoscaler:Dispatch</c>).</summary>
public enum DispatchMode
{
    /// <summary>The timer invocation ticks every stack itself, Autoscaler:MaxParallelStacks at a time: one instance, local runs.</summary>
    Inline,

    /// <summary>The timer enqueues one message per stack; the queue-triggered TickStack function ticks each, scaled out by the platform.</summary>
    Queue,
}

/// <summary>
/// The deployment-wide adapter settings: storage and dispatch. The actuator and the metrics source are chosen per stack
/// (<see cref="AiLbAutoscaler.Core.Routing.StackAdapterSelection"/>).
/// </summary>
public sealed record AdapterSelection(bool Storage, DispatchMode Dispatch = DispatchMode.Inline)
{
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

        return new(storage, dispatch);
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
/// At startup (before any hosted service, the worker's connection to the host included), checks that storage and the tick
/// queue are served as the settings ask, so Storage:Enabled never runs silently on the in-memory stand-ins; logs a
/// warning when they are in use. (The per-stack actuator and metrics source are checked by Core's AdapterRoutingCheck.)
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
