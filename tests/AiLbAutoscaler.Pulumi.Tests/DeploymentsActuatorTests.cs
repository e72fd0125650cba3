using AiLbAutoscaler.Adapters.Pulumi.Actuation;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AiLbAutoscaler.Adapters.Pulumi.Configuration;
using AiLbAutoscaler.Adapters.Pulumi.Deployments;
using AiLbAutoscaler.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using AiLbAutoscaler.Core.Fleet;

namespace AiLbAutoscaler.Pulumi.Tests;

/// <summary>
/// The Pulumi Deployments actuator against WireMock.Net standing in for Pulumi Cloud (reference §6): the documented
/// routes, headers, request body and status values; not the real service.
/// </summary>
[Trait("Area", "Pulumi")]
public sealed class DeploymentsActuatorTests : IDisposable
{
    private const string Token = "pul-wiremock-token-91ab";
    private const string StackPath = "/api/stacks/acme/ailb-inference/dev";
    private readonly WireMockServer _server;
    private readonly ServiceProvider _provider;

    public DeploymentsActuatorTests()
    {
        _server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FreePort()}"] });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Autoscaler:Stacks:inference:Pulumi:Backend"] = "Deployments",
            ["Autoscaler:Stacks:inference:Pulumi:StackName"] = "dev",
            ["Autoscaler:Stacks:inference:Pulumi:Deployments:ApiBaseUrl"] = _server.Urls[0],
            ["Autoscaler:Stacks:inference:Pulumi:Deployments:Organization"] = "acme",
            ["Autoscaler:Stacks:inference:Pulumi:Deployments:Project"] = "ailb-inference",
            ["Autoscaler:Stacks:inference:Pulumi:Deployments:TokenSetting"] = "AilbTestPulumiToken",
            ["Autoscaler:Stacks:inference:Pulumi:Deployments:PollIntervalSeconds"] = "0.05",
            ["AilbTestPulumiToken"] = Token,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddPulumiActuator(configuration);
        _provider = services.BuildServiceProvider();
    }

    private IFleetActuator Actuator => _provider.GetRequiredKeyedService<IFleetActuator>(PulumiFleetActuator.AdapterName);

    public void Dispose()
    {
        _provider.Dispose();
        _server.Stop();
        _server.Dispose();
    }

    [Fact]
    public async Task Apply_posts_an_update_with_a_pre_run_config_set_and_polls_to_success()
    {
        GivenExportedSize(2);
        _server.Given(Request.Create().WithPath($"{StackPath}/deployments").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(202).WithBodyAsJson(new { id = "d-123", consoleUrl = "https://app.pulumi.com/acme/ailb-inference/dev/deployments/7" }));
        GivenStatuses("d-123", "not-started", "running", "succeeded");

        var result = await Actuator.ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Applied, result.Outcome);
        Assert.Contains("2 → 5 by deployment d-123", result.Message);
        var post = _server.LogEntries.Single(e => e.RequestMessage.Method == "POST");
        Assert.Equal($"token {Token}", post.RequestMessage.Headers!["Authorization"].Single());
        Assert.Equal("application/vnd.pulumi+8", post.RequestMessage.Headers!["Accept"].Single());
        using var body = JsonDocument.Parse(post.RequestMessage.Body!);
        Assert.Equal("update", body.RootElement.GetProperty("operation").GetString());
        Assert.True(body.RootElement.GetProperty("inheritSettings").GetBoolean());
        Assert.Equal(
            "pulumi config set targetSize --plaintext --stack acme/ailb-inference/dev -- 5",
            body.RootElement.GetProperty("operationContext").GetProperty("preRunCommands")[0].GetString());
        Assert.Equal(3, _server.LogEntries.Count(e => e.RequestMessage.Path == $"{StackPath}/deployments/d-123"));
    }

    [Fact]
    public async Task The_deployed_size_is_the_root_stack_resources_output_and_an_equal_size_posts_nothing()
    {
        GivenExportedSize(4);

        Assert.Equal(4, await Actuator.GetCurrentSizeAsync("inference", CancellationToken.None));
        var result = await Actuator.ApplyAsync("inference", 4, "steady", CancellationToken.None);

        Assert.Equal(ActuationOutcome.NoChange, result.Outcome);
        Assert.DoesNotContain(_server.LogEntries, e => e.RequestMessage.Method == "POST");
    }

    [Fact]
    public async Task A_409_on_create_is_busy()
    {
        GivenExportedSize(2);
        _server.Given(Request.Create().WithPath($"{StackPath}/deployments").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(409).WithBodyAsJson(new { code = 409, message = "Conflict: Another update is currently in progress." }));

        var result = await Actuator.ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Busy, result.Outcome);
        Assert.Contains("Another update is currently in progress", result.Message);
        Assert.Single(_server.LogEntries, e => e.RequestMessage.Method == "POST");
    }

    [Fact]
    public async Task A_failed_deployment_is_failed_and_points_to_the_console()
    {
        GivenExportedSize(2);
        _server.Given(Request.Create().WithPath($"{StackPath}/deployments").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(202).WithBodyAsJson(new { id = "d-9", consoleUrl = "https://app.pulumi.com/acme/x/9" }));
        GivenStatuses("d-9", "running", "failed");

        var result = await Actuator.ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Failed, result.Outcome);
        Assert.Contains("ended with status 'failed'", result.Message);
        Assert.Contains("https://app.pulumi.com/acme/x/9", result.Message);
    }

    [Fact]
    public async Task A_skipped_deployment_is_busy()
    {
        GivenExportedSize(2);
        _server.Given(Request.Create().WithPath($"{StackPath}/deployments").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(202).WithBodyAsJson(new { id = "d-5" }));
        GivenStatuses("d-5", "skipped");

        var result = await Actuator.ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.True(result.Outcome == ActuationOutcome.Busy, result.Message);
    }

    [Fact]
    public async Task A_rejected_token_is_failed_naming_the_setting_but_never_the_token()
    {
        _server.Given(Request.Create().WithPath($"{StackPath}/export").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(401).WithBodyAsJson(new { code = 401, message = $"invalid token {Token}" }));

        var result = await Actuator.ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Failed, result.Outcome);
        Assert.Contains("401", result.Message);
        Assert.Contains("AilbTestPulumiToken", result.Message);
        Assert.DoesNotContain(Token, result.Message);
    }

    [Fact]
    public async Task A_deployment_that_outlives_the_timeout_is_cancelled_and_failed()
    {
        GivenExportedSize(2);
        _server.Given(Request.Create().WithPath($"{StackPath}/deployments").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(202).WithBodyAsJson(new { id = "d-slow" }));
        _server.Given(Request.Create().WithPath($"{StackPath}/deployments/d-slow").UsingGet())
            .RespondWith(Response.Create().WithBodyAsJson(new { id = "d-slow", status = "running" }));
        _server.Given(Request.Create().WithPath($"{StackPath}/deployments/d-slow/cancel").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200));
        // 3 s: long enough that the create request itself finishes inside it on a loaded machine.
        _provider.GetRequiredService<IOptions<PulumiActuatorOptions>>().Value.Stacks["inference"].Pulumi!.UpdateTimeoutSeconds = 3;

        var result = await Actuator.ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Failed, result.Outcome);
        Assert.Contains("did not finish within 3 s and was cancelled", result.Message);
        Assert.Single(_server.LogEntries, e => e.RequestMessage.Path == $"{StackPath}/deployments/d-slow/cancel");
    }

    [Fact]
    public async Task A_create_request_that_outlives_the_timeout_is_a_failure_not_an_exception()
    {
        GivenExportedSize(2);
        _server.Given(Request.Create().WithPath($"{StackPath}/deployments").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(202).WithBodyAsJson(new { id = "d-late" }).WithDelay(TimeSpan.FromSeconds(3)));
        _provider.GetRequiredService<IOptions<PulumiActuatorOptions>>().Value.Stacks["inference"].Pulumi!.UpdateTimeoutSeconds = 1;

        var result = await Actuator.ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Failed, result.Outcome);
        Assert.Contains("the deployment request did not finish within 1 s", result.Message);
        Assert.Contains("desired size 5 will be retried", result.Message);
    }

    [Fact]
    public async Task A_transient_503_on_a_read_is_retried_but_a_failed_create_is_not()
    {
        _server.Given(Request.Create().WithPath($"{StackPath}/export").UsingGet()).InScenario("flaky").WillSetStateTo("up")
            .RespondWith(Response.Create().WithStatusCode(503));
        _server.Given(Request.Create().WithPath($"{StackPath}/export").UsingGet()).InScenario("flaky").WhenStateIs("up")
            .RespondWith(Response.Create().WithBodyAsJson(ExportBody(2)));
        _server.Given(Request.Create().WithPath($"{StackPath}/deployments").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(503));

        var result = await Actuator.ApplyAsync("inference", 5, "load", CancellationToken.None);

        Assert.Equal(ActuationOutcome.Failed, result.Outcome);
        Assert.Contains("503", result.Message);
        Assert.Equal(2, _server.LogEntries.Count(e => e.RequestMessage.Path == $"{StackPath}/export"));
        Assert.Single(_server.LogEntries, e => e.RequestMessage.Method == "POST");
    }

    private static object ExportBody(int size) => new
    {
        version = 3,
        deployment = new
        {
            manifest = new { time = "2026-11-26T10:00:00Z" },
            resources = new object[]
            {
                new { urn = "urn:pulumi:dev::ailb-inference::pulumi:pulumi:Stack::ailb-inference-dev", type = "pulumi:pulumi:Stack", inputs = new { }, outputs = new { targetSize = size, lbIpAddress = "34.117.10.20" } },
                new { urn = Contract.FleetUrn, type = "gcp:compute/instanceGroupManager:InstanceGroupManager", outputs = new { targetSize = 99 } },
            },
        },
    };

    private void GivenExportedSize(int size) =>
        _server.Given(Request.Create().WithPath($"{StackPath}/export").UsingGet())
            .RespondWith(Response.Create().WithBodyAsJson(ExportBody(size)));

    /// <summary>Each GET of the deployment answers the next status; the last one repeats.</summary>
    private void GivenStatuses(string id, params string[] statuses)
    {
        if (statuses.Length == 1)
        {
            _server.Given(Request.Create().WithPath($"{StackPath}/deployments/{id}").UsingGet())
                .RespondWith(Response.Create().WithBodyAsJson(new { id, status = statuses[0], version = 7 }));
            return;
        }

        for (var i = 0; i < statuses.Length; i++)
        {
            var mapping = _server.Given(Request.Create().WithPath($"{StackPath}/deployments/{id}").UsingGet()).InScenario("status-" + id);
            if (i > 0)
            {
                mapping = mapping.WhenStateIs("s" + i);
            }

            if (i < statuses.Length - 1)
            {
                mapping = mapping.WillSetStateTo("s" + (i + 1));
            }

            mapping.RespondWith(Response.Create().WithBodyAsJson(new { id, status = statuses[i], version = 7 }));
        }
    }

    private static int FreePort() => AiLbAutoscaler.Tests.Shared.LoopbackPorts.Free();
}
