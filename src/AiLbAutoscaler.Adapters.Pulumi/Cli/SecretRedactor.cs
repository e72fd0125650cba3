namespace AiLbAutoscaler.Adapters.Pulumi.Cli;

/// <summary>
/// Replaces the values of secret environment variables (passphrase, access token, Google credentials, …) with
/// <c>***</c> in any text that may reach a log, an error or an audit record.
/// </summary>
public sealed class SecretRedactor
{
    public const string Mask = "***";

    /// <summary>Variables whose values are always secret.</summary>
    public static readonly IReadOnlySet<string> KnownSecretNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "PULUMI_CONFIG_PASSPHRASE", "PULUMI_ACCESS_TOKEN", "GOOGLE_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN",
        "CLOUDSDK_AUTH_ACCESS_TOKEN", "AZURE_STORAGE_KEY", "AZURE_STORAGE_SAS_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    };

    private static readonly string[] SecretNameParts = ["TOKEN", "SECRET", "PASSWORD", "PASSPHRASE", "CREDENTIALS", "_KEY"];

    private readonly string[] _values;

    public SecretRedactor(IEnumerable<string?> secretValues) =>
        _values = secretValues
            .Where(v => !string.IsNullOrEmpty(v) && v.Length >= 4)
            .Select(v => v!)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(v => v.Length)
            .ToArray();

    public static bool IsSecretName(string name) =>
        KnownSecretNames.Contains(name)
        || SecretNameParts.Any(p => name.Contains(p, StringComparison.OrdinalIgnoreCase)) && !name.EndsWith("_FILE", StringComparison.OrdinalIgnoreCase);

    /// <summary>A redactor for the process environment overlaid with <paramref name="overlay"/>.</summary>
    public static SecretRedactor ForEnvironment(IReadOnlyDictionary<string, string?> overlay)
    {
        var values = new List<string?>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            if (e.Key is string name && IsSecretName(name))
            {
                values.Add(e.Value as string);
            }
        }

        values.AddRange(overlay.Where(kv => IsSecretName(kv.Key)).Select(kv => kv.Value));
        return new SecretRedactor(values);
    }

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        foreach (var v in _values)
        {
            text = text.Replace(v, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
