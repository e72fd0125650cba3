using System.Text.Json;
using System.Text.Json.Serialization;
using AiLbAutoscaler.Core.Ports;

namespace AiLbAutoscaler.Adapters.AzureStorage.Queues;

/// <summary>The body of a tick message: <c>{"stack":…,"dueAt":…,"expiresAt":…,"tickId":…}</c>, ISO-8601 instants.</summary>
public static class TickMessageJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };

    public static string Serialize(TickMessage message) => JsonSerializer.Serialize(message, Options);

    /// <summary>Reads a body, or says what is wrong with it (a message that can never be run is dropped, not retried).</summary>
    public static bool TryParse(string? body, out TickMessage? message, out string? problem)
    {
        message = null;
        problem = null;
        try
        {
            message = JsonSerializer.Deserialize<TickMessage>(body ?? "", Options);
        }
        catch (JsonException ex)
        {
            problem = $"the body is not a tick message ({ex.Message.Split('.')[0]})";
            return false;
        }

        problem = message switch
        {
            null => "the body is empty",
            { Stack: null or "" } => "it names no stack",
            { TickId: null or "" } => "it has no tickId",
            _ when message.DueAt == default || message.ExpiresAt <= message.DueAt => "its dueAt and expiresAt are missing or out of order",
            _ => null,
        };
        return problem is null;
    }
}
