using System.Text.Json;
using AiLbAutoscaler.Adapters.AzureStorage.Common;
using AiLbAutoscaler.Core.State;
using Azure.Data.Tables;

namespace AiLbAutoscaler.Adapters.AzureStorage.State;

/// <summary>
/// One stack's <see cref="StackState"/> as one table entity (PartitionKey = stack in lower case, RowKey = "state").
/// Scalars are typed properties, readable in Storage Explorer; the two histories are compact JSON arrays of UTC ticks
/// (<c>[[ticks,size],…]</c> and <c>[[ticks,from,to],…]</c>), split over several properties if one would pass 64 KiB; the
/// learned forecast profile and demand model are compact JSON objects the same way.
/// </summary>
internal static class StackStateEntity
{
    public const string RowKey = "state";
    private const int Schema = 1;

    public static TableEntity ToEntity(string stack, StackState state)
    {
        var entity = new TableEntity(EntityProperties.StackKey(stack), RowKey)
        {
            ["Stack"] = stack,
            ["Schema"] = Schema,
            ["ConsecutiveMissingTicks"] = state.ConsecutiveMissingTicks,
            ["LastPanicAt"] = state.LastPanicAt,
            ["OverrideSize"] = state.Override?.Size,
            ["OverrideUntil"] = state.Override?.Until,
            ["LastAppliedSize"] = state.LastAppliedSize,
            ["LastAppliedAt"] = state.LastAppliedAt,
            ["LastTimerTickAt"] = state.LastTimerTickAt,
            ["PendingDesiredSize"] = state.PendingDesiredSize,
            ["IntentFrom"] = state.Intent?.From,
            ["IntentTo"] = state.Intent?.To,
            ["IntentAt"] = state.Intent?.At,
            ["Fence"] = state.Fence,
        };
        EntityProperties.SetLongString(entity, "Recommendations",
            JsonSerializer.Serialize(state.Recommendations.Select(r => new[] { r.At.UtcTicks, r.Size })));
        EntityProperties.SetLongString(entity, "ScaleEvents",
            JsonSerializer.Serialize(state.ScaleEvents.Select(e => new[] { e.At.UtcTicks, e.From, e.To })));
        EntityProperties.SetLongString(entity, "Forecast", state.Forecast is { } f
            ? JsonSerializer.Serialize(new StoredProfile(f.Means.ToArray(), f.Samples.ToArray(), f.LastSampleAt?.UtcTicks))
            : null);
        EntityProperties.SetLongString(entity, "Demand", state.Demand is { } d
            ? JsonSerializer.Serialize(new StoredDemand(d.CostPerRequest, d.LearnedAt?.UtcTicks, d.Pending.Select(p => new StoredSum(p.At.UtcTicks, p.Sum)).ToArray()))
            : null);
        EntityProperties.SetLongString(entity, "Headroom", state.Headroom is { } h
            ? JsonSerializer.Serialize(new StoredHeadroom(Stored(h.Recent), h.Weights.ToArray(), h.UpdatedAt?.UtcTicks))
            : null);
        EntityProperties.SetLongString(entity, "Trend", state.Trend is { } t ? StoreRates(t.Recent) : null);
        EntityProperties.SetLongString(entity, "Calm", state.Calm is { } c ? StoreRates(c.Recent) : null);
        EntityProperties.SetLongString(entity, "OverrideReason", state.Override?.Reason);
        EntityProperties.SetLongString(entity, "PendingReason", state.PendingReason);
        entity["LastTickId"] = state.LastTickId;
        return entity;
    }

    public static StackState FromEntity(TableEntity entity, string table)
    {
        var schema = entity.GetInt32("Schema");
        if (schema != Schema)
        {
            throw EntityProperties.Corrupt(entity, table, "Schema", $"is {schema?.ToString() ?? "missing"}; this version reads schema {Schema}");
        }

        var overrideSize = entity.GetInt32("OverrideSize");
        var overrideUntil = entity.GetDateTimeOffset("OverrideUntil");
        return new StackState
        {
            Recommendations = ReadHistory(entity, table, "Recommendations", 2, a => new RecommendationSample(At(a[0]), checked((int)a[1]))),
            ScaleEvents = ReadHistory(entity, table, "ScaleEvents", 3, a => new ScaleEvent(At(a[0]), checked((int)a[1]), checked((int)a[2]))),
            ConsecutiveMissingTicks = entity.GetInt32("ConsecutiveMissingTicks") ?? 0,
            LastPanicAt = entity.GetDateTimeOffset("LastPanicAt"),
            Override = overrideSize is int size && overrideUntil is { } until
                ? new ManualOverride(size, EntityProperties.GetLongString(entity, "OverrideReason") ?? "", until)
                : null,
            LastAppliedSize = entity.GetInt32("LastAppliedSize"),
            LastAppliedAt = entity.GetDateTimeOffset("LastAppliedAt"),
            LastTimerTickAt = entity.GetDateTimeOffset("LastTimerTickAt"),
            PendingDesiredSize = entity.GetInt32("PendingDesiredSize"),
            PendingReason = EntityProperties.GetLongString(entity, "PendingReason"),
            LastTickId = entity.GetString("LastTickId"),
            Intent = entity.GetInt32("IntentFrom") is int from && entity.GetInt32("IntentTo") is int to && entity.GetDateTimeOffset("IntentAt") is { } at
                ? new ApplyIntent(from, to, at)
                : null,
            Fence = entity.GetInt64("Fence"),
            Forecast = EntityProperties.ReadJson<StoredProfile>(entity, table, "Forecast") is { } f
                ? new SeasonalProfile(f.Means, f.Samples, f.LastSampleAt is long t ? At(t) : null)
                : null,
            Demand = EntityProperties.ReadJson<StoredDemand>(entity, table, "Demand") is { } d
                ? new DemandModel(d.Cost, d.LearnedAt is long l ? At(l) : null, d.Pending.Select(p => new UtilizationSample(At(p.At), p.Sum)).ToList())
                : null,
            Headroom = EntityProperties.ReadJson<StoredHeadroom>(entity, table, "Headroom") is { } h
                ? new HeadroomModel(Rates(h.Recent), h.Weights, h.UpdatedAt is long u ? At(u) : null)
                : null,
            Trend = EntityProperties.ReadJson<StoredRate[]>(entity, table, "Trend") is { } trend
                ? new TrendModel(Rates(trend))
                : null,
            Calm = EntityProperties.ReadJson<StoredRate[]>(entity, table, "Calm") is { } calm
                ? new CalmModel(Rates(calm))
                : null,
        };
    }

    // Compact shapes of the learned models: UTC ticks for times, so an instant survives exactly.
    private sealed record StoredProfile(double[] Means, int[] Samples, long? LastSampleAt);

    private sealed record StoredDemand(double? Cost, long? LearnedAt, StoredSum[] Pending);

    private sealed record StoredSum(long At, double Sum);

    private sealed record StoredHeadroom(StoredRate[] Recent, double[] Weights, long? UpdatedAt);

    private sealed record StoredRate(long At, double Rate, double Horizon);

    private static DateTimeOffset At(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    private static StoredRate[] Stored(IEnumerable<RateSample> rates) => [.. rates.Select(r => new StoredRate(r.At.UtcTicks, r.Rate, r.HorizonSeconds))];

    private static string StoreRates(IEnumerable<RateSample> rates) => JsonSerializer.Serialize(Stored(rates));

    private static List<RateSample> Rates(StoredRate[] stored) => [.. stored.Select(r => new RateSample(At(r.At), r.Rate, r.Horizon))];

    private static List<T> ReadHistory<T>(TableEntity entity, string table, string name, int width, Func<long[], T> read)
    {
        var rows = EntityProperties.ReadJson<long[][]>(entity, table, name) ?? [];
        try
        {
            return rows.Select(row => row.Length == width
                    ? read(row)
                    : throw EntityProperties.Corrupt(entity, table, name, $"has an entry of {row.Length} numbers; expected {width}"))
                .ToList();
        }
        catch (Exception ex) when (ex is OverflowException or ArgumentOutOfRangeException)
        {
            throw EntityProperties.Corrupt(entity, table, name, $"is not a valid history ({ex.Message})");
        }
    }
}
