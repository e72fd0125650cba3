using System.Diagnostics;
using System.Globalization;
using AiLbAutoscaler.Adapters.Metrics.Credentials;
using AiLbAutoscaler.Core.Audit;
using AiLbAutoscaler.Core.Controller;
using AiLbAutoscaler.Core.Engine;
using AiLbAutoscaler.Core.Fleet;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using AiLbAutoscaler.Storage.Tests.Azurite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace AiLbAutoscaler.Bench;

/// <summary>
/// The timer's load: one <see cref="AutoscaleController.TickAllAsync"/> over N stacks, each reading its Cloud Monitoring
/// signals over HTTP (a WireMock.Net STAND-IN on 127.0.0.1 answering with the documented timeSeries shape), taking its
/// lease and saving its state and audit row in a real Azurite on 127.0.0.1. The actuator is the in-memory one: a real
/// pulumi up takes minutes and is bounded by its own timeout, not by this loop. Also times the engine alone per stack.
/// </summary>
public static class TickLoad
{
    /// <summary>The fixtures' "now": their points end at 12:05: at 12:10 they are past the ingest delay and within the maximum age.</summary>
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-10T12:10:00Z", CultureInfo.InvariantCulture);

    public static async Task<int> RunAsync(int stackCount, int rounds)
    {
        var fixtures = Path.Combine(AiLbAutoscaler.Tests.Shared.RepositoryRoot.Path, "tests", "AiLbAutoscaler.Metrics.Tests", "Fixtures", "CloudMonitoring");
        await using var azurite = new AzuriteServer();
        await azurite.StartAsync();
        var wiremock = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [$"http://127.0.0.1:{AiLbAutoscaler.Tests.Shared.LoopbackPorts.Free()}"],
            StartAdminInterface = false,
        });
        try
        {
            Serve(wiremock, "*latencies*", Path.Combine(fixtures, "aggregated-latency.json"), 1);
            Serve(wiremock, "*", Path.Combine(fixtures, "gpu-percent.json"), 2);

            var settings = new Dictionary<string, string?>
            {
                ["Autoscaler:Metrics:CloudMonitoringEndpoint"] = wiremock.Url,
                ["Autoscaler:Storage:ConnectionString"] = azurite.ConnectionString,
                ["Autoscaler:Actuator"] = "BenchStandIn",
                ["Autoscaler:Metrics:Source"] = "CloudMonitoring", // through WireMock: the adapter is what this measures
            };
            var names = Enumerable.Range(0, stackCount).Select(i => $"s{i:D3}").ToList();
            foreach (var s in names)
            {
                settings[$"Autoscaler:Stacks:{s}:Policy:MinSize"] = "1";
                settings[$"Autoscaler:Stacks:{s}:Policy:MaxSize"] = "20";
                settings[$"Autoscaler:Stacks:{s}:Metrics:Project"] = "my-proj";
                settings[$"Autoscaler:Stacks:{s}:Metrics:BackendServiceName"] = "llm-backend-" + s;
                settings[$"Autoscaler:Stacks:{s}:Metrics:InstanceGroupName"] = "llm-mig-" + s;
                settings[$"Autoscaler:Stacks:{s}:Metrics:Region"] = "us-central1";
                settings[$"Autoscaler:Stacks:{s}:Policy:Signals:0:Signal"] = "gpu_utilization";
                settings[$"Autoscaler:Stacks:{s}:Policy:Signals:0:Kind"] = "Utilization";
                settings[$"Autoscaler:Stacks:{s}:Policy:Signals:0:Target"] = "0.45";
                settings[$"Autoscaler:Stacks:{s}:Policy:Signals:1:Signal"] = "latency_p95_ms";
                settings[$"Autoscaler:Stacks:{s}:Policy:Signals:1:Kind"] = "LatencySlo";
                settings[$"Autoscaler:Stacks:{s}:Policy:Signals:1:Target"] = "2000";
            }

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection();
            services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
            services.AddSingleton<TimeProvider>(new FrozenNow(Now));
            services.AddSingleton<IAccessTokenSource>(new StaticTokenStandIn());
            services.AddFleetActuatorAdapter("BenchStandIn", _ => new InMemoryFleetActuator(initialSize: 4));
            services.AddMetricsAdapters(configuration);
            services.AddAzureStorageState(configuration);
            services.AddAutoscalerCore(configuration);
            await using var provider = services.BuildServiceProvider();
            var controller = provider.GetRequiredService<AutoscaleController>();
            var parallel = provider.GetRequiredService<IOptions<AutoscalerOptions>>().Value.MaxParallelStacks;

            // Warm-up: creates the tables and the container, JITs the path.
            await controller.TickAllAsync(DecisionTrigger.Timer, CancellationToken.None);
            var walls = new List<double>();
            IReadOnlyList<TickResult> last = [];
            for (var r = 0; r < rounds; r++)
            {
                var sw = Stopwatch.StartNew();
                last = await controller.TickAllAsync(DecisionTrigger.Timer, CancellationToken.None);
                walls.Add(sw.Elapsed.TotalSeconds);
            }

            var engineMicros = await EngineTimeAsync(provider, names);
            var requests = wiremock.LogEntries.Count();
            var usable = last.Sum(t => t.Decision?.Recommendations.Count(x => x.Status == SignalStatus.Used) ?? 0);
            walls.Sort();
            var median = walls[walls.Count / 2];
            Console.WriteLine($"stacks                        {stackCount} (MaxParallelStacks {parallel})");
            Console.WriteLine($"rounds                        {rounds} after one warm-up");
            Console.WriteLine($"outcomes (last round)         {string.Join(", ", last.GroupBy(t => t.Outcome).Select(g => $"{g.Key} {g.Count()}"))}; {usable} recommendations from usable signals");
            Console.WriteLine($"first stack's decision        {last[0].Decision?.Explanation}");
            Console.WriteLine($"metrics requests served       {requests} in {rounds + 1} rounds");
            Console.WriteLine($"TickAll wall time             median {median:0.00} s, min {walls[0]:0.00} s, max {walls[^1]:0.00} s");
            Console.WriteLine($"per stack (wall / stacks)     {median / stackCount * 1000:0.0} ms");
            Console.WriteLine($"engine alone per stack        {engineMicros:0.0} µs (DecisionEngine.Decide)");
            Console.WriteLine($"timer period                  60 s: the slowest TickAll uses {walls[^1] / 60 * 100:0.0} % of it");
            return walls[^1] < 60 ? 0 : 1;
        }
        finally
        {
            wiremock.Stop();
        }
    }

    private static void Serve(WireMockServer server, string filter, string fixture, int priority) =>
        server.Given(Request.Create().WithPath("/v3/projects/my-proj/timeSeries").WithParam("filter", new WildcardMatcher(filter)).UsingGet())
            .AtPriority(priority)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(File.ReadAllText(fixture)));

    /// <summary>Mean time of one <see cref="DecisionEngine.Decide"/> per stack, on each stack's observed signals and stored state.</summary>
    private static async Task<double> EngineTimeAsync(IServiceProvider provider, IReadOnlyList<string> stacks)
    {
        var engine = provider.GetRequiredService<DecisionEngine>();
        var controller = provider.GetRequiredService<AutoscaleController>();
        var metrics = provider.GetRequiredService<IMetricsSource>();
        var store = provider.GetRequiredService<IStackStateStore>();
        var actuator = provider.GetRequiredService<IFleetActuator>();
        var inputs = new List<DecisionInput>();
        foreach (var s in stacks)
        {
            var observation = await metrics.ObserveAsync(s, CancellationToken.None);
            var state = (await store.LoadAsync(s, CancellationToken.None)).State;
            var size = await actuator.GetCurrentSizeAsync(s, CancellationToken.None);
            inputs.Add(new DecisionInput(s, controller.PolicyFor(s), new FleetState(size, observation.InstanceAges), observation.Signals, state));
        }

        const int repeats = 200;
        foreach (var input in inputs)
        {
            engine.Decide(input);
        }

        var sw = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++)
        {
            foreach (var input in inputs)
            {
                engine.Decide(input);
            }
        }

        return sw.Elapsed.TotalMilliseconds * 1000 / (repeats * inputs.Count);
    }

    /// <summary>"Now" fixed at the fixtures' time; timers and delays are the system's (leases, retries, timeouts run for real).</summary>
    private sealed class FrozenNow(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Stand-in for Google credentials: a fixed token (the WireMock stand-in does not check it).</summary>
    private sealed class StaticTokenStandIn : IAccessTokenSource
    {
        public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken) => Task.FromResult("ya29.bench-stand-in-token");
    }
}
