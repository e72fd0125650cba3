using AiLbAutoscaler.Adapters.Pulumi.Actuation;
using AiLbAutoscaler.Adapters.Pulumi.Configuration;
using AiLbAutoscaler.Core.InMemory;
using AiLbAutoscaler.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Pulumi.Tests;

/// <summary>Binding from Autoscaler:Stacks:{stack}:Pulumi, startup validation, and the DI registration.</summary>
[Trait("Area", "Pulumi")]
public sealed class OptionsAndRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        settings.TryAdd("Autoscaler:Actuator", "Pulumi"); // every stack on this adapter, as a host selects it
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAutoscalerCore(configuration);
        services.AddPulumiActuator(configuration);
        return services.BuildServiceProvider();
    }

    private static string Errors(Dictionary<string, string?> settings)
    {
        using var provider = Build(settings);
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PulumiActuatorOptions>>().Value);
        return string.Join("\n", ex.Failures);
    }

    [Fact]
    public void AddPulumiActuator_replaces_the_in_memory_actuator_and_fills_defaults()
    {
        using var provider = Build(new()
        {
            ["Autoscaler:Stacks:inference:Pulumi:WorkDir"] = StandInPulumi.InfraDir,
        });

        Assert.IsType<PulumiFleetActuator>(provider.GetRequiredKeyedService<IFleetActuator>(PulumiFleetActuator.AdapterName));
        var p = provider.GetRequiredService<IOptions<PulumiActuatorOptions>>().Value.Stacks["inference"].Pulumi!;
        Assert.Equal("inference", p.StackName);
        Assert.Equal("ailb-inference", p.Project);
        Assert.Equal(
            "urn:pulumi:inference::ailb-inference::gcp:compute/instanceGroupManager:InstanceGroupManager::fleet",
            PulumiCliFleetActuator.GroupManagerUrn(p));
    }

    [Fact]
    public void Registration_order_does_not_matter()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Autoscaler:Actuator"] = "Pulumi",
            ["Autoscaler:Stacks:inference:Pulumi:WorkDir"] = StandInPulumi.InfraDir,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddPulumiActuator(configuration);
        services.AddAutoscalerCore(configuration);

        using var provider = services.BuildServiceProvider();

        Assert.IsType<PulumiFleetActuator>(provider.GetRequiredKeyedService<IFleetActuator>(PulumiFleetActuator.AdapterName));
        Assert.Null(provider.GetKeyedService<IFleetActuator>(AiLbAutoscaler.Core.Routing.AdapterNames.InMemory)); // no stack selects the stand-in
    }

    [Fact]
    public void A_stack_without_a_pulumi_section_names_the_setting()
    {
        var errors = Errors(new() { ["Autoscaler:Stacks:inference:Policy:MaxSize"] = "10" });

        Assert.Contains("Autoscaler:Stacks:inference:Pulumi is missing", errors);
    }

    [Fact]
    public void Bad_cli_settings_are_named()
    {
        var errors = Errors(new()
        {
            ["Autoscaler:Stacks:inference:Pulumi:WorkDir"] = "/nonexistent/infra",
            ["Autoscaler:Stacks:inference:Pulumi:Binary"] = "/nonexistent/pulumi",
            ["Autoscaler:Stacks:inference:Pulumi:UpdateTimeoutSeconds"] = "1",
            ["Autoscaler:Stacks:inference:Pulumi:ConfigKey"] = "target size",
            ["Autoscaler:Stacks:inference:Pulumi:Environment:PULUMI_ACCESS_TOKEN"] = "pul-nope",
        });

        Assert.Contains("Autoscaler:Stacks:inference:Pulumi:WorkDir '/nonexistent/infra' has no Pulumi.yaml", errors);
        Assert.Contains("Autoscaler:Stacks:inference:Pulumi:Binary '/nonexistent/pulumi' does not exist", errors);
        Assert.Contains("Autoscaler:Stacks:inference:Pulumi:UpdateTimeoutSeconds must be 10 or more", errors);
        Assert.Contains("Autoscaler:Stacks:inference:Pulumi:ConfigKey 'target size'", errors);
        Assert.Contains("Autoscaler:Stacks:inference:Pulumi:Environment:PULUMI_ACCESS_TOKEN looks like a secret", errors);
        Assert.DoesNotContain("pul-nope", errors);
    }

    [Fact]
    public void Deployments_needs_org_project_and_a_token_setting_that_is_set()
    {
        var errors = Errors(new()
        {
            ["Autoscaler:Stacks:inference:Pulumi:Backend"] = "Deployments",
            ["Autoscaler:Stacks:inference:Pulumi:Deployments:TokenSetting"] = "AILB_TEST_UNSET_TOKEN_SETTING",
        });

        Assert.Contains("Autoscaler:Stacks:inference:Pulumi:Deployments:Organization is required", errors);
        Assert.Contains("Autoscaler:Stacks:inference:Pulumi:Deployments:Project is required", errors);
        Assert.Contains("TokenSetting names 'AILB_TEST_UNSET_TOKEN_SETTING', but no configuration value or environment variable", errors);
        Assert.DoesNotContain("WorkDir", errors);
    }

    [Fact]
    public void A_valid_deployments_stack_takes_its_token_from_configuration()
    {
        using var provider = Build(new()
        {
            ["Autoscaler:Stacks:inference:Pulumi:Backend"] = "Deployments",
            ["Autoscaler:Stacks:inference:Pulumi:StackName"] = "acme/prod",
            ["Autoscaler:Stacks:inference:Pulumi:Deployments:Organization"] = "acme",
            ["Autoscaler:Stacks:inference:Pulumi:Deployments:Project"] = "ailb-inference",
            ["Autoscaler:Stacks:inference:Pulumi:Deployments:TokenSetting"] = "PulumiToken",
            ["PulumiToken"] = "pul-from-config",
        });

        var p = provider.GetRequiredService<IOptions<PulumiActuatorOptions>>().Value.Stacks["inference"].Pulumi!;
        Assert.Equal("prod", p.Deployments.Stack);
    }

    [Fact]
    public async Task The_registered_actuator_runs_the_configured_binary_for_a_cli_stack()
    {
        using var pulumi = new StandInPulumi();
        pulumi.OutputsTargetSize(3);
        using var provider = Build(new()
        {
            ["Autoscaler:Stacks:inference:Pulumi:WorkDir"] = StandInPulumi.InfraDir,
            ["Autoscaler:Stacks:inference:Pulumi:Binary"] = pulumi.Binary,
            ["Autoscaler:Stacks:inference:Pulumi:StackName"] = "dev",
        });

        Assert.Equal(3, await provider.GetRequiredKeyedService<IFleetActuator>(PulumiFleetActuator.AdapterName).GetCurrentSizeAsync("inference", CancellationToken.None));
        Assert.Equal("--stack", Assert.Single(pulumi.Calls()).Args[3]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => provider.GetRequiredKeyedService<IFleetActuator>(PulumiFleetActuator.AdapterName).GetCurrentSizeAsync("unknown", CancellationToken.None));
    }
}
