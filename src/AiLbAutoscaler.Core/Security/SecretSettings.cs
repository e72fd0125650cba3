using System.Collections;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace AiLbAutoscaler.Core.Security;

/// <summary>
/// Which settings hold secrets, by name, and what the secret is: the value itself, the secret parts of a connection
/// string (<c>AccountKey=</c>, …), or, when the value names a file (<c>GOOGLE_APPLICATION_CREDENTIALS</c>,
/// <c>PULUMI_CONFIG_PASSPHRASE_FILE</c>, a credentials-file setting), that file's content.
/// </summary>
public static partial class SecretSettings
{
    /// <summary>Credential files larger than this are not read (a key file is a few KiB).</summary>
    private const long MaxFileBytes = 1024 * 1024;

    private static readonly string[] SecretNameParts =
        ["TOKEN", "SECRET", "PASSWORD", "PASSPHRASE", "CREDENTIAL", "_KEY", "PRIVATE_KEY", "ACCOUNTKEY", "CONNECTIONSTRING", "ASSERTION", "APIKEY", "SIGNATURE"];

    /// <summary>Names that look secret but name public places (token endpoints, key types).</summary>
    private static readonly string[] PublicSuffixes = ["URI", "URL", "_TYPE", "_NAME", "ENDPOINT", "SETTING", "AUDIENCE", "SECONDS", "MINUTES", "ENABLED"];

    /// <summary>Whether a setting or JSON key of this name holds a secret (or names a file that does).</summary>
    public static bool IsSecretName(string name)
    {
        var upper = name.Replace(":", "_", StringComparison.Ordinal).Replace("__", "_", StringComparison.Ordinal).ToUpperInvariant();
        return SecretNameParts.Any(p => upper.Contains(p, StringComparison.Ordinal))
            && !PublicSuffixes.Any(s => upper.EndsWith(s, StringComparison.Ordinal));
    }

    /// <summary>The secrets among these settings.</summary>
    public static IEnumerable<string> From(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        foreach (var (name, value) in settings)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            foreach (var part in ConnectionStringSecrets(value))
            {
                yield return part;
            }

            if (!IsSecretName(name))
            {
                continue;
            }

            // A path names a credential file: its content is the secret, not the path.
            var secret = Path.IsPathFullyQualified(value) ? ReadFile(value) : value;
            if (secret is not null)
            {
                yield return secret;
            }
        }
    }

    /// <summary>The secrets of the process environment.</summary>
    public static IEnumerable<string> FromEnvironment() => From(ProcessEnvironment());

    /// <summary>A redactor for the process environment and, when given, the host's configuration.</summary>
    public static SecretRedactor Redactor(IConfiguration? configuration = null, IEnumerable<KeyValuePair<string, string?>>? extra = null) =>
        new(From(ProcessEnvironment()
            .Concat(configuration?.AsEnumerable() ?? [])
            .Concat(extra ?? [])));

    public static IEnumerable<KeyValuePair<string, string?>> ProcessEnvironment()
    {
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            if (e.Key is string name)
            {
                yield return new(name, e.Value as string);
            }
        }
    }

    /// <summary>The secret parts of a connection string or SAS URL: <c>AccountKey=…</c>, <c>SharedAccessSignature=…</c>, <c>sig=…</c>, ….</summary>
    public static IEnumerable<string> ConnectionStringSecrets(string value) =>
        ConnectionStringSecret().Matches(value).Select(m => m.Groups["value"].Value);

    private static string? ReadFile(string value)
    {
        try
        {
            var info = new FileInfo(value);
            return info.Exists && info.Length <= MaxFileBytes ? File.ReadAllText(value) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"(?:^|[;?&])\s*(?:AccountKey|SharedAccessKey|SharedAccessSignature|sig|Password|Pwd)=(?<value>[^;&]+)", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionStringSecret();
}
