namespace AiLbAutoscaler.Adapters.Pulumi.Configuration;

/// <summary>How a stack's size is applied.</summary>
public enum PulumiBackend
{
    /// <summary>Run the pulumi CLI on this host (config set + targeted up).</summary>
    Cli,

    /// <summary>Ask Pulumi Deployments (Pulumi Cloud REST API) to run the update remotely.</summary>
    Deployments,
}

/// <summary>
/// One stack's Pulumi settings, bound from <c>Autoscaler:Stacks:{stack}:Pulumi</c>
/// (app settings: <c>Autoscaler__Stacks__inference__Pulumi__WorkDir</c>). Secrets are never settings here: the
/// CLI reads <c>PULUMI_CONFIG_PASSPHRASE</c>/<c>_FILE</c>, <c>PULUMI_ACCESS_TOKEN</c> and the Google credentials from
/// the environment it inherits, and the Deployments backend reads its token from the setting named by
/// <see cref="DeploymentsOptions.TokenSetting"/>.
/// </summary>
public sealed class PulumiStackOptions
{
    public PulumiBackend Backend { get; set; } = PulumiBackend.Cli;

    /// <summary>Folder holding the program's Pulumi.yaml (the CLI runs there). Required for <see cref="PulumiBackend.Cli"/>.</summary>
    public string? WorkDir { get; set; }

    /// <summary>The Pulumi stack name (e.g. <c>dev</c> or <c>org/dev</c>); defaults to the autoscaler's stack key.</summary>
    public string? StackName { get; set; }

    /// <summary>Path or name of the pulumi binary.</summary>
    public string Binary { get; set; } = "pulumi";

    /// <summary>Longest a targeted <c>up</c> (or a whole Deployments run) may take before it is killed/cancelled.</summary>
    public int UpdateTimeoutSeconds { get; set; } = 1200;

    /// <summary>Longest any other command (config set, stack output, …) may take.</summary>
    public int CommandTimeoutSeconds { get; set; } = 120;

    /// <summary>The stack config key that holds the size (the program reads <c>${targetSize}</c>).</summary>
    public string ConfigKey { get; set; } = "targetSize";

    /// <summary>The stack output that reports the deployed size.</summary>
    public string SizeOutput { get; set; } = "targetSize";

    /// <summary>The group manager's logical name in the program (its key under <c>resources:</c>).</summary>
    public string GroupManagerResource { get; set; } = "fleet";

    /// <summary>The group manager's type token as it appears in URNs (canonical form).</summary>
    public string GroupManagerType { get; set; } = "gcp:compute/instanceGroupManager:InstanceGroupManager";

    /// <summary>The full URN to target; when empty it is built from the project, stack, type and resource name.</summary>
    public string? GroupManagerUrn { get; set; }

    /// <summary>The Pulumi project name; when empty, read from <c>name:</c> in WorkDir/Pulumi.yaml.</summary>
    public string? Project { get; set; }

    /// <summary>After an <c>up</c> times out, run <c>pulumi cancel</c> so a stale lock does not keep the stack busy.</summary>
    public bool CancelOnTimeout { get; set; } = true;

    /// <summary>Extra non-secret environment variables for the CLI (e.g. PULUMI_BACKEND_URL, PULUMI_HOME).</summary>
    public Dictionary<string, string> Environment { get; set; } = new(StringComparer.Ordinal);

    public DeploymentsOptions Deployments { get; set; } = new();
}

/// <summary>Pulumi Deployments settings: <c>Autoscaler:Stacks:{stack}:Pulumi:Deployments</c>.</summary>
public sealed class DeploymentsOptions
{
    public string ApiBaseUrl { get; set; } = "https://api.pulumi.com";

    public string? Organization { get; set; }

    public string? Project { get; set; }

    /// <summary>Stack name in Pulumi Cloud; defaults to the stack's <see cref="PulumiStackOptions.StackName"/>.</summary>
    public string? Stack { get; set; }

    /// <summary>The name of the setting (configuration key or environment variable) that holds the access token.</summary>
    public string TokenSetting { get; set; } = "PULUMI_ACCESS_TOKEN";

    /// <summary>How often the deployment's status is polled.</summary>
    public double PollIntervalSeconds { get; set; } = 5;
}

/// <summary>The part of the <c>Autoscaler</c> section this adapter reads.</summary>
public sealed class PulumiActuatorOptions
{
    public Dictionary<string, PulumiStackSection> Stacks { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class PulumiStackSection
{
    public PulumiStackOptions? Pulumi { get; set; }
}
