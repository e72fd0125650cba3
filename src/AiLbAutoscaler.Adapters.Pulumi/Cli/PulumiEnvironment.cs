namespace AiLbAutoscaler.Adapters.Pulumi.Cli;

/// <summary>
/// What of the host's environment the pulumi child process gets: an allow-list of what the CLI, its YAML language host
/// and the GCP provider read (reference §1.2 and §5.2), never the rest, so the host's own secrets (AzureWebJobsStorage,
/// other apps' tokens) stay in the host. The stack's <c>Environment</c> setting is overlaid on top.
/// </summary>
public static class PulumiEnvironment
{
    /// <summary>Whole names passed through: the process basics, proxies and TLS roots.</summary>
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "TZ", "TMPDIR", "TMP", "TEMP",
        "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR",
        "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR",
        "GCE_METADATA_HOST", "GCE_METADATA_IP",

        // Windows hosts: what any child process needs to start.
        "SystemRoot", "SystemDrive", "windir", "ComSpec", "PATHEXT", "USERPROFILE", "APPDATA", "LOCALAPPDATA",
        "ProgramData", "ProgramFiles", "ProgramFiles(x86)", "CommonProgramFiles", "NUMBER_OF_PROCESSORS", "PROCESSOR_ARCHITECTURE",
    };

    /// <summary>
    /// Prefixes passed through: the CLI's own settings (<c>PULUMI_CONFIG_PASSPHRASE[_FILE]</c>, <c>PULUMI_ACCESS_TOKEN</c>,
    /// <c>PULUMI_BACKEND_URL</c>, <c>PULUMI_HOME</c>, …), the GCP provider's credentials and defaults (<c>GOOGLE_CREDENTIALS</c>,
    /// <c>GOOGLE_APPLICATION_CREDENTIALS</c>, <c>GOOGLE_PROJECT</c>, <c>GOOGLE_REGION</c>, …, and the gcloud/CLOUDSDK
    /// fallbacks), and the locale.
    /// </summary>
    public static readonly IReadOnlyList<string> Prefixes = ["PULUMI_", "GOOGLE_", "GCLOUD_", "CLOUDSDK_", "LC_"];

    public static bool IsPassedThrough(string name) =>
        Names.Contains(name) || Prefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>Replaces <paramref name="target"/> (a child's inherited environment) with the allowed part of it, then the overlay (null removes).</summary>
    public static void Apply(IDictionary<string, string?> target, IReadOnlyDictionary<string, string?> overlay)
    {
        foreach (var name in target.Keys.Where(n => !IsPassedThrough(n)).ToList())
        {
            target.Remove(name);
        }

        foreach (var (name, value) in overlay)
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else
            {
                target[name] = value;
            }
        }
    }

    /// <summary>The environment the child sees, for building its redactor: the allowed host variables plus the overlay.</summary>
    public static IReadOnlyDictionary<string, string?> For(IReadOnlyDictionary<string, string?> overlay)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in AiLbAutoscaler.Core.Security.SecretSettings.ProcessEnvironment())
        {
            env[name] = value;
        }

        Apply(env, overlay);
        return env;
    }
}
