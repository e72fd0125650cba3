using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using AiLbAutoscaler.Adapters.Pulumi.Actuation;
using AiLbAutoscaler.Adapters.Pulumi.Common;
using AiLbAutoscaler.Core.Routing;

namespace AiLbAutoscaler.Adapters.Pulumi.Configuration;

/// <summary>
/// Fills in defaults that depend on other settings (stack name, project), then fails startup on a bad setting,
/// naming it by its configuration path. Never echoes a token.
/// </summary>
public sealed partial class PulumiActuatorOptionsValidator(IConfiguration configuration, StackAdapterSelection? selection = null)
    : IValidateOptions<PulumiActuatorOptions>, IPostConfigureOptions<PulumiActuatorOptions>
{
    public void PostConfigure(string? name, PulumiActuatorOptions options)
    {
        // Stacks another actuator serves are not this adapter's to validate or drive.
        foreach (var other in options.Stacks.Keys.Where(s => selection is not null && !selection.Actuators.Serves(s, PulumiFleetActuator.AdapterName)).ToList())
        {
            options.Stacks.Remove(other);
        }

        foreach (var (stack, section) in options.Stacks)
        {
            if (section.Pulumi is not { } p)
            {
                continue;
            }

            p.StackName = string.IsNullOrWhiteSpace(p.StackName) ? stack : p.StackName;
            if (p.Backend == PulumiBackend.Cli && string.IsNullOrWhiteSpace(p.Project) && p.WorkDir is { } dir)
            {
                p.Project = ReadProjectName(dir);
            }

            p.Deployments.Stack = string.IsNullOrWhiteSpace(p.Deployments.Stack) ? PulumiStacks.LastSegment(p.StackName) : p.Deployments.Stack;
        }
    }

    public ValidateOptionsResult Validate(string? name, PulumiActuatorOptions options)
    {
        var errors = new List<string>();
        if (options.Stacks.Count == 0)
        {
            errors.Add("Autoscaler:Stacks names no stack, so AddPulumiActuator has nothing to actuate.");
        }

        foreach (var (stack, section) in options.Stacks)
        {
            var at = $"Autoscaler:Stacks:{stack}:Pulumi";
            if (section.Pulumi is not { } p)
            {
                errors.Add($"{at} is missing: set at least {at}:WorkDir (CLI) or {at}:Backend=Deployments with {at}:Deployments:Organization.");
                continue;
            }

            if (p.UpdateTimeoutSeconds < 10)
            {
                errors.Add($"{at}:UpdateTimeoutSeconds must be 10 or more (was {p.UpdateTimeoutSeconds}).");
            }

            if (p.CommandTimeoutSeconds < 1)
            {
                errors.Add($"{at}:CommandTimeoutSeconds must be 1 or more (was {p.CommandTimeoutSeconds}).");
            }

            if (!ConfigKeyPattern().IsMatch(p.ConfigKey))
            {
                errors.Add($"{at}:ConfigKey '{p.ConfigKey}' is not a plain config key (letters, digits, '_', '-', optional 'namespace:').");
            }

            if (string.IsNullOrWhiteSpace(p.SizeOutput))
            {
                errors.Add($"{at}:SizeOutput must name the stack output that reports the size.");
            }

            if (p.Backend == PulumiBackend.Cli)
            {
                ValidateCli(at, p, errors);
            }
            else
            {
                ValidateDeployments(at, p.Deployments, errors);
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static string? ReadProjectName(string workDir)
    {
        var file = Path.Combine(workDir, "Pulumi.yaml");
        if (!File.Exists(file))
        {
            return null;
        }

        foreach (var line in File.ReadLines(file))
        {
            var m = ProjectNameLine().Match(line);
            if (m.Success)
            {
                return m.Groups[1].Value.Trim('"', '\'');
            }
        }

        return null;
    }

    private static void ValidateCli(string at, PulumiStackOptions p, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(p.WorkDir))
        {
            errors.Add($"{at}:WorkDir is required for Backend=Cli: the folder with the program's Pulumi.yaml.");
        }
        else if (!File.Exists(Path.Combine(p.WorkDir, "Pulumi.yaml")))
        {
            errors.Add($"{at}:WorkDir '{p.WorkDir}' has no Pulumi.yaml.");
        }

        if (string.IsNullOrWhiteSpace(p.Binary))
        {
            errors.Add($"{at}:Binary must name the pulumi executable (a path or a name on PATH).");
        }
        else if (Path.IsPathRooted(p.Binary) && !File.Exists(p.Binary))
        {
            errors.Add($"{at}:Binary '{p.Binary}' does not exist.");
        }

        if (string.IsNullOrWhiteSpace(p.GroupManagerUrn))
        {
            if (string.IsNullOrWhiteSpace(p.Project))
            {
                errors.Add($"{at}:Project is empty and WorkDir's Pulumi.yaml has no 'name:', so the group manager URN cannot be built (or set {at}:GroupManagerUrn).");
            }

            if (string.IsNullOrWhiteSpace(p.GroupManagerResource))
            {
                errors.Add($"{at}:GroupManagerResource must name the instance group manager resource in the program.");
            }
        }
        else if (!p.GroupManagerUrn.StartsWith("urn:pulumi:", StringComparison.Ordinal))
        {
            errors.Add($"{at}:GroupManagerUrn must start with 'urn:pulumi:' (was '{p.GroupManagerUrn}').");
        }

        foreach (var key in p.Environment.Keys.Where(k => Secretish().IsMatch(k)))
        {
            errors.Add($"{at}:Environment:{key} looks like a secret; pass secrets through the process environment, not settings.");
        }
    }

    private void ValidateDeployments(string at, DeploymentsOptions d, List<string> errors)
    {
        var dat = at + ":Deployments";
        if (!Uri.TryCreate(d.ApiBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            errors.Add($"{dat}:ApiBaseUrl must be an absolute http(s) URL (was '{d.ApiBaseUrl}').");
        }

        foreach (var (field, value) in new[] { ("Organization", d.Organization), ("Project", d.Project), ("Stack", d.Stack) })
        {
            if (string.IsNullOrWhiteSpace(value) || !PathSegment().IsMatch(value))
            {
                errors.Add($"{dat}:{field} is required and must be a plain name (letters, digits, '-', '_', '.'), was '{value}'.");
            }
        }

        if (string.IsNullOrWhiteSpace(d.TokenSetting))
        {
            errors.Add($"{dat}:TokenSetting must name the setting that holds the Pulumi access token.");
        }
        else if (string.IsNullOrEmpty(PulumiStacks.ResolveToken(configuration, d.TokenSetting)))
        {
            errors.Add($"{dat}:TokenSetting names '{d.TokenSetting}', but no configuration value or environment variable of that name is set.");
        }

        if (d.PollIntervalSeconds is < 0.01 or > 300)
        {
            errors.Add($"{dat}:PollIntervalSeconds must be in [0.01, 300] (was {d.PollIntervalSeconds}).");
        }
    }

    [GeneratedRegex(@"^([A-Za-z0-9_.-]+:)?[A-Za-z0-9_-]+$")]
    private static partial Regex ConfigKeyPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,100}$")]
    private static partial Regex PathSegment();

    [GeneratedRegex(@"^name:\s*(\S+)\s*$")]
    private static partial Regex ProjectNameLine();

    [GeneratedRegex("TOKEN|SECRET|PASSWORD|PASSPHRASE$|CREDENTIALS$", RegexOptions.IgnoreCase)]
    private static partial Regex Secretish();
}
