using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace AiLbAutoscaler.Functions.Dispatch;

/// <summary>
/// The Functions host's queue-trigger settings (host.json <c>extensions.queues</c>), as the host itself reads them: the
/// app's host.json, overridden by app settings <c>AzureFunctionsJobHost__extensions__queues__*</c>, else the documented
/// defaults. TickStack needs maxDequeueCount to know a try is the last one; the tests' host stand-in uses all of them.
/// </summary>
public sealed record QueueHostSettings(int BatchSize, int NewBatchThreshold, int MaxDequeueCount, TimeSpan VisibilityTimeout, TimeSpan MaxPollingInterval)
{
    private const string Override = "AzureFunctionsJobHost:extensions:queues:";

    /// <summary>Per instance, the host runs at most this many TickStack invocations at once.</summary>
    public int MaxConcurrentPerInstance => BatchSize + NewBatchThreshold;

    /// <summary>The settings of the host.json beside the app (<see cref="AppContext.BaseDirectory"/>).</summary>
    public static QueueHostSettings FromApp(IConfiguration configuration) =>
        Load(Path.Combine(AppContext.BaseDirectory, "host.json"), configuration);

    /// <exception cref="InvalidOperationException">host.json or an override holds a value out of the host's range; the message names it.</exception>
    public static QueueHostSettings Load(string hostJsonPath, IConfiguration? configuration = null)
    {
        var file = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        if (File.Exists(hostJsonPath))
        {
            using var host = JsonDocument.Parse(File.ReadAllText(hostJsonPath));
            if (host.RootElement.TryGetProperty("extensions", out var ext) && ext.TryGetProperty("queues", out var queues))
            {
                foreach (var p in queues.EnumerateObject())
                {
                    file[p.Name] = p.Value.Clone();
                }
            }
        }

        string? Read(string name) =>
            configuration?[Override + name] ?? (file.TryGetValue(name, out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()) : null);

        var batch = Int(Read("batchSize"), 16, 1, 32, "batchSize");

        // The host's default is batchSize/2 per core off Consumption; this app names it in host.json, so the default rarely applies.
        var threshold = Int(Read("newBatchThreshold"), batch / 2, 0, 10_000, "newBatchThreshold");
        var dequeue = Int(Read("maxDequeueCount"), 5, 1, 1_000, "maxDequeueCount");
        var visibility = Span(Read("visibilityTimeout"), TimeSpan.Zero, "visibilityTimeout");
        var polling = Span(Read("maxPollingInterval"), TimeSpan.FromMinutes(1), "maxPollingInterval");
        return new QueueHostSettings(batch, threshold, dequeue, visibility, polling);
    }

    private static int Int(string? text, int fallback, int min, int max, string name)
    {
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new InvalidOperationException($"host.json extensions.queues.{name} must be a whole number in [{min}, {max}] (was '{text}').");
    }

    private static TimeSpan Span(string? text, TimeSpan fallback, string name)
    {
        if (text is null)
        {
            return fallback;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero
            ? value
            : throw new InvalidOperationException($"host.json extensions.queues.{name} must be a time span such as 00:00:05 (was '{text}').");
    }
}
