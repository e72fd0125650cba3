using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiLbAutoscaler.Adapters.AzureStorage.Common;
using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using Azure.Data.Tables;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Adapters.AzureStorage.Audit;

/// <summary>
/// One <see cref="AuditRecord"/> as one table row: PartitionKey = stack (lower case), RowKey = UTC ticks (19 digits, so
/// rows sort by time) + '-' + a unique suffix. Scalars are typed columns; the inputs, the per-signal recommendations, the
/// limits and the resource changes are JSON columns with names of their own (not the Core types' shape), so the stored
/// format stays stable when the Core records change.
/// </summary>
internal static class AuditEntity
{
    private const int Schema = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string RowKey(DateTimeOffset at) => EntityProperties.SortableTime(at) + "-" + Guid.NewGuid().ToString("N");

    public static TableEntity ToEntity(AuditRecord record)
    {
        var decision = record.Decision;
        var actuation = record.Actuation;
        var entity = new TableEntity(EntityProperties.StackKey(record.Stack), RowKey(record.At))
        {
            ["Schema"] = Schema,
            ["Stack"] = record.Stack,
            ["At"] = record.At,
            ["Trigger"] = record.Trigger.ToString(),
            ["DryRun"] = record.DryRun,
            ["DecisionAt"] = decision.At,
            ["CurrentSize"] = decision.CurrentSize,
            ["DesiredSize"] = decision.DesiredSize,
            ["Action"] = decision.Action.ToString(),
            ["WinningSignal"] = decision.WinningSignal,
            ["RawRecommendation"] = decision.RawRecommendation,
            ["Outcome"] = actuation.Outcome.ToString(),
            ["Duration"] = actuation.Duration.ToString("c", CultureInfo.InvariantCulture),
        };

        var inputs = record.Inputs.Select(r => new StoredInput(r.Signal, r.Value, r.ObservedAt, r.AgeAt(record.At)?.TotalSeconds, r.Problem, r.Instances));
        var recommendations = decision.Recommendations.Select(r =>
            new StoredRecommendation(r.Signal, r.Kind, r.Target, r.Observed, r.Age, r.Status, r.RecommendedSize, r.Note));
        var limits = decision.Limits.Select(l => new StoredLimit(l.Rule, l.Before, l.After, l.Detail));
        EntityProperties.SetLongString(entity, "Inputs", JsonSerializer.Serialize(inputs, Json));
        EntityProperties.SetLongString(entity, "Recommendations", JsonSerializer.Serialize(recommendations, Json));
        EntityProperties.SetLongString(entity, "Limits", JsonSerializer.Serialize(limits, Json));
        EntityProperties.SetLongString(entity, "Explanation", decision.Explanation);
        EntityProperties.SetLongString(entity, "Message", actuation.Message);
        EntityProperties.SetLongString(entity, "ResourceChanges",
            actuation.ResourceChanges is null ? null : JsonSerializer.Serialize(actuation.ResourceChanges, Json));
        return entity;
    }

    public static AuditRecord FromEntity(TableEntity entity, string table)
    {
        var schema = entity.GetInt32("Schema");
        if (schema != Schema)
        {
            throw EntityProperties.Corrupt(entity, table, "Schema", $"is {schema?.ToString() ?? "missing"}; this version reads schema {Schema}");
        }

        var stack = EntityProperties.RequiredString(entity, "Stack", table);
        var at = entity.GetDateTimeOffset("At") ?? throw EntityProperties.Corrupt(entity, table, "At", "is missing");
        var inputs = (EntityProperties.ReadJson<List<StoredInput>>(entity, table, "Inputs", Json) ?? [])
            .Select(i => new SignalReading(i.Signal, i.Value, i.ObservedAt, i.Problem, i.Instances)).ToList();
        var recommendations = (EntityProperties.ReadJson<List<StoredRecommendation>>(entity, table, "Recommendations", Json) ?? [])
            .Select(r => new SignalRecommendation(r.Signal, r.Kind, r.Target, r.Observed, r.Age, r.Status, r.RecommendedSize, r.Note))
            .ToList();
        var limits = (EntityProperties.ReadJson<List<StoredLimit>>(entity, table, "Limits", Json) ?? [])
            .Select(l => new AppliedLimit(l.Rule, l.Before, l.After, l.Detail)).ToList();

        var decision = new ScalingDecision(
            stack,
            entity.GetDateTimeOffset("DecisionAt") ?? at,
            entity.GetInt32("CurrentSize") ?? throw EntityProperties.Corrupt(entity, table, "CurrentSize", "is missing"),
            entity.GetInt32("DesiredSize") ?? throw EntityProperties.Corrupt(entity, table, "DesiredSize", "is missing"),
            EntityProperties.RequiredEnum<ScalingAction>(entity, "Action", table),
            entity.GetString("WinningSignal"),
            entity.GetInt32("RawRecommendation"),
            recommendations,
            limits,
            EntityProperties.GetLongString(entity, "Explanation") ?? "");

        var changes = EntityProperties.ReadJson<Dictionary<string, int>>(entity, table, "ResourceChanges", Json);
        var actuation = new ActuationResult(
            EntityProperties.RequiredEnum<ActuationOutcome>(entity, "Outcome", table),
            EntityProperties.GetLongString(entity, "Message"),
            ReadDuration(entity, table),
            changes);

        return new AuditRecord(stack, at, EntityProperties.RequiredEnum<DecisionTrigger>(entity, "Trigger", table), inputs, decision, actuation,
            entity.GetBoolean("DryRun") ?? false);
    }

    private static TimeSpan ReadDuration(TableEntity entity, string table) =>
        entity.GetString("Duration") is not { } text ? TimeSpan.Zero
        : TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var duration) ? duration
        : throw EntityProperties.Corrupt(entity, table, "Duration", $"'{text}' is not a duration (d.hh:mm:ss.fffffff)");

    /// <summary>A signal as the decision saw it; <see cref="AgeSeconds"/> is its age at the decision, for readers of the row.</summary>
    private sealed record StoredInput(string Signal, double? Value, DateTimeOffset? ObservedAt, double? AgeSeconds, string? Problem, int? Instances = null);

    private sealed record StoredRecommendation(
        string Signal, TargetKind Kind, double Target, double? Observed, TimeSpan? Age, SignalStatus Status, int? RecommendedSize, string Note);

    private sealed record StoredLimit(string Rule, int Before, int After, string Detail);
}
