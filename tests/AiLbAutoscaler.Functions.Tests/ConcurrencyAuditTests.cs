using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Core.Signals;
using AiLbAutoscaler.Functions.Functions;
using Microsoft.Azure.Functions.Worker;
using Xunit.Abstractions;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Functions.Tests;

/// <summary>
/// K = 12 Function instances (each its own app, storage clients and lease client) rescale and tick one stack at once,
/// over one real Azurite and one fleet, with seeded random jitter, round after round. The fleet's sequence of changes
/// must equal the audit trail's sequence of applied decisions: no double apply, no unaudited apply.
/// </summary>
[Trait("Area", "Functions")]
public sealed class ConcurrencyAuditTests(AzuriteForFunctions azurite, ITestOutputHelper output) : IClassFixture<AzuriteForFunctions>
{
    private const string Stack = "inference";
    private const int K = 12;
    private const int Rounds = 8;

    [Fact]
    public async Task Concurrent_rescales_and_ticks_leave_an_audit_trail_equal_to_the_fleets_changes()
    {
        var settings = azurite.Settings();
        var fleet = new SlowFleetStandIn(new InMemoryFleetActuator(initialSize: 3));
        var metrics = new InMemoryMetricsSource();
        var apps = new List<TestApp>();
        try
        {
            for (var i = 0; i < K; i++)
            {
                apps.Add(await azurite.StartAsync(settings, fleet, metrics));
            }

            var random = new Random(20261202);
            var equalRounds = 0;
            var answers = new Dictionary<int, int>();
            for (var round = 0; round < Rounds; round++)
            {
                metrics.Set(Stack, SignalReading.Of(SignalNames.GpuUtilization, 0.3 + random.NextDouble() * 0.7, DateTimeOffset.UtcNow));
                var calls = Enumerable.Range(0, K).Select(i =>
                {
                    var jitter = TimeSpan.FromMilliseconds(random.Next(0, 250));
                    var target = random.Next(1, 11);
                    var hold = random.Next(0, 2) * 5;
                    var app = apps[i];
                    return Task.Run(async () =>
                    {
                        await Task.Delay(jitter);
                        if (i % 2 == 0)
                        {
                            return (await RealClockEndToEndTests.PostAsync(app, "rescale", $$"""{"targetSize": {{target}}, "reason": "round {{round}}", "holdMinutes": {{hold}}}""")).Status;
                        }

                        if (i % 4 == 1)
                        {
                            await app.Get<TimerFunctions>().AutoscaleAsync(new TimerInfo(), default);
                            return 0;
                        }

                        return (await RealClockEndToEndTests.PostAsync(app, "evaluate", null, "?dryRun=false")).Status;
                    });
                }).ToList();
                foreach (var status in await Task.WhenAll(calls))
                {
                    answers[status] = answers.GetValueOrDefault(status) + 1;
                }

                var applied = fleet.Changes.Where(c => c.Stack == Stack).Select(c => c.Size).ToList();
                var trail = await apps[0].Get<IAuditLog>().QueryAsync(Stack, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1), 10_000, default);
                var audited = trail.Where(r => r.Actuation.Outcome == ActuationOutcome.Applied && !r.DryRun)
                    .OrderBy(r => r.At).Select(r => r.Decision.DesiredSize).ToList();
                Assert.Equal(applied, audited);
                Assert.DoesNotContain(trail, r => r.Trigger == DecisionTrigger.Reconcile);
                Assert.True(fleet.MaxConcurrentApplies <= 1, $"{fleet.MaxConcurrentApplies} applies of one stack overlapped");
                equalRounds++;
            }

            Assert.All(answers.Keys, s => Assert.Contains(s, new[] { 0, 200, 409 }));
            var summary = $"{equalRounds} of {Rounds} rounds of K={K}: audit trail equal to the fleet's {fleet.Changes.Count(c => c.Stack == Stack)} changes; answers {string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{a.Key}×{a.Value}"))}";
            Assert.True(fleet.Changes.Count(c => c.Stack == Stack) >= Rounds / 2, summary);
            output.WriteLine($"{equalRounds} of {Rounds} rounds of K={K}: audit trail equal to the fleet's {fleet.Changes.Count(c => c.Stack == Stack)} changes; answers {string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{a.Key}×{a.Value}"))}");
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>A stand-in for a <c>pulumi up</c> that takes a while: the in-memory fleet, 150 ms late, counting overlaps.</summary>
    private sealed class SlowFleetStandIn(InMemoryFleetActuator inner) : IFleetActuator
    {
        private int _running;
        private int _max;

        public IEnumerable<(string Stack, int Size, string Reason)> Changes => inner.Applied;

        public int MaxConcurrentApplies => Volatile.Read(ref _max);

        public Task<int> GetCurrentSizeAsync(string stack, CancellationToken cancellationToken) => inner.GetCurrentSizeAsync(stack, cancellationToken);

        public async Task<ActuationResult> ApplyAsync(string stack, int desiredSize, string reason, CancellationToken cancellationToken)
        {
            if (stack != Stack)
            {
                return await inner.ApplyAsync(stack, desiredSize, reason, cancellationToken);
            }

            InterlockedMax(ref _max, Interlocked.Increment(ref _running));
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(150), cancellationToken);
                return await inner.ApplyAsync(stack, desiredSize, reason, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }
}
