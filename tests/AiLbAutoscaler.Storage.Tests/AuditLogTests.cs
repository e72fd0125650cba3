using System.Text.Json;
using System.Text.Json.Serialization;
using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Policy;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Storage.Tests.Azurite;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Storage.Tests;

[Trait("Area", "Storage")]
public sealed class AuditLogTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions Compare = new()
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    [Fact]
    public async Task A_query_before_any_record_finds_nothing_and_creates_no_table()
    {
        var storage = azurite.NewStorage();

        Assert.Empty(await storage.Audit.QueryAsync("inference", T0, T0.AddDays(1), 10, CancellationToken.None));

        // The table still does not exist: a read-only command (ailb history, GET history) never creates one.
        var missing = await Assert.ThrowsAsync<Azure.RequestFailedException>(
            async () => await storage.Clients.AuditTable.QueryAsync<Azure.Data.Tables.TableEntity>().FirstOrDefaultAsync());
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task Every_field_of_a_record_survives_a_round_trip()
    {
        var storage = azurite.NewStorage();
        var full = FullRecord("Inference", T0.AddTicks(1234567));
        var sparse = full with
        {
            At = T0.AddSeconds(30),
            Trigger = DecisionTrigger.Cli,
            DryRun = true,
            Inputs = [],
            Decision = full.Decision with { At = T0.AddSeconds(29), WinningSignal = null, RawRecommendation = null, Recommendations = [], Limits = [] },
            Actuation = new ActuationResult(ActuationOutcome.DryRun),
        };

        await storage.Audit.AppendAsync(sparse, CancellationToken.None);
        await storage.Audit.AppendAsync(full, CancellationToken.None);
        var found = await storage.Another().Audit.QueryAsync("inference", T0, T0.AddMinutes(1), 10, CancellationToken.None);

        Assert.Equal(2, found.Count);
        Assert.Equal(JsonSerializer.Serialize(full, Compare), JsonSerializer.Serialize(found[0], Compare));
        Assert.Equal(JsonSerializer.Serialize(sparse, Compare), JsonSerializer.Serialize(found[1], Compare));
    }

    [Fact]
    public async Task The_inputs_column_holds_each_signal_with_its_age_at_the_decision_and_nothing_else()
    {
        var storage = azurite.NewStorage();
        await storage.Audit.AppendAsync(FullRecord("web", T0), CancellationToken.None);

        var row = await storage.Clients.AuditTable.QueryAsync<Azure.Data.Tables.TableEntity>().FirstAsync();

        using var inputs = JsonDocument.Parse(row.GetString("Inputs"));
        var gpu = inputs.RootElement.EnumerateArray().First(e => e.GetProperty("signal").GetString() == SignalNames.GpuUtilization);
        Assert.Equal(45, gpu.GetProperty("ageSeconds").GetDouble());
        Assert.Equal("web", row.PartitionKey);
        Assert.StartsWith(T0.UtcTicks.ToString("D19"), row.RowKey);
        Assert.Equal("Timer", row.GetString("Trigger"));
        Assert.Equal("Applied", row.GetString("Outcome"));
        Assert.Equal("00:00:42.5000000", row.GetString("Duration"));
    }

    [Fact]
    public async Task Queries_return_one_stack_in_a_half_open_time_range_oldest_first()
    {
        var audit = azurite.NewStorage().Audit;

        // Appended out of order, with two records at the very same instant and a neighbour stack.
        foreach (var minute in new[] { 5, 0, 9, 2, 3, 3, 7, 4, 1, 6, 8 })
        {
            await audit.AppendAsync(FullRecord("api", T0.AddMinutes(minute)), CancellationToken.None);
        }

        await audit.AppendAsync(FullRecord("api-canary", T0.AddMinutes(3)), CancellationToken.None);

        var range = await audit.QueryAsync("API", T0.AddMinutes(2), T0.AddMinutes(5), 100, CancellationToken.None);
        Assert.Equal([2, 3, 3, 4], range.Select(r => (int)(r.At - T0).TotalMinutes));
        Assert.All(range, r => Assert.Equal("api", r.Stack));

        var firstTwo = await audit.QueryAsync("api", T0, T0.AddHours(1), 2, CancellationToken.None);
        Assert.Equal([T0, T0.AddMinutes(1)], firstTwo.Select(r => r.At));

        Assert.Empty(await audit.QueryAsync("api", T0.AddMinutes(5), T0.AddMinutes(5), 100, CancellationToken.None));
        Assert.Empty(await audit.QueryAsync("api", T0.AddMinutes(10), T0.AddHours(1), 100, CancellationToken.None));
        Assert.Empty(await audit.QueryAsync("nobody", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, CancellationToken.None));
        Assert.Equal(11, (await audit.QueryAsync("api", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, int.MaxValue, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Pruning_deletes_every_stack_s_records_older_than_the_cut_and_keeps_the_rest()
    {
        var audit = azurite.NewStorage().Audit;
        var cut = T0.AddDays(-30);

        // 230 old rows in one partition: more than one 100-row transaction.
        var old = Enumerable.Range(0, 230).Select(i => FullRecord("big", cut.AddMinutes(-1 - i)));
        foreach (var chunk in old.Chunk(25))
        {
            await Task.WhenAll(chunk.Select(r => audit.AppendAsync(r, CancellationToken.None)));
        }

        await audit.AppendAsync(FullRecord("small", cut.AddDays(-2)), CancellationToken.None);
        await audit.AppendAsync(FullRecord("small", cut), CancellationToken.None); // exactly at the cut: kept
        await audit.AppendAsync(FullRecord("big", cut.AddDays(10)), CancellationToken.None);

        var pruned = await audit.PruneAsync(cut, CancellationToken.None);

        Assert.Equal(231, pruned);
        Assert.Equal([cut.AddDays(10)], (await audit.QueryAsync("big", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 1000, CancellationToken.None)).Select(r => r.At));
        Assert.Equal([cut], (await audit.QueryAsync("small", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 1000, CancellationToken.None)).Select(r => r.At));
        Assert.Equal(0, await audit.PruneAsync(cut, CancellationToken.None));
    }

    internal static AuditRecord FullRecord(string stack, DateTimeOffset at)
    {
        var inputs = new List<SignalReading>
        {
            SignalReading.MeanOf(SignalNames.GpuUtilization, 0.93, at.AddSeconds(-45), instances: 6),
            SignalReading.Of(SignalNames.LatencyP95Ms, 2450.5, at.AddSeconds(-30).AddTicks(3)),
            SignalReading.Missing(SignalNames.QueuePerInstance, "query returned no series"),
            new(SignalNames.CpuUtilization, double.NaN, at.AddSeconds(-10), "not a number"),
        };
        var recommendations = new List<SignalRecommendation>
        {
            new(SignalNames.GpuUtilization, TargetKind.Utilization, 0.7, 0.93, TimeSpan.FromSeconds(45), SignalStatus.Used, 6, "0.93 over 0.70 on 4 serving"),
            new(SignalNames.LatencyP95Ms, TargetKind.LatencySlo, 2000, 2450.5, TimeSpan.FromSeconds(30).Add(TimeSpan.FromTicks(3)), SignalStatus.Used, 5, "above the SLO"),
            new(SignalNames.QueuePerInstance, TargetKind.Utilization, 16, null, null, SignalStatus.Missing, null, "query returned no series"),
        };
        var decision = new ScalingDecision(stack, at, 4, 6, ScalingAction.ScaleUp, SignalNames.GpuUtilization, 6, recommendations,
            [new AppliedLimit("scale-up rate", 8, 6, "+2 per 60 s"), new AppliedLimit("max size", 6, 6, "≤ 20")],
            "gpu_utilization 0.93 over target 0.70 → 6 (limited by the scale-up rate) — «quoted» ✓");
        var actuation = new ActuationResult(ActuationOutcome.Applied, "4 → 6", TimeSpan.FromSeconds(42.5),
            new Dictionary<string, int> { ["update"] = 1, ["same"] = 11 });
        return new AuditRecord(stack, at, DecisionTrigger.Timer, inputs, decision, actuation, DryRun: false);
    }
}
