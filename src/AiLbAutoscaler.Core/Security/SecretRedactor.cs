using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AiLbAutoscaler.Core.Security;

/// <summary>
/// Masks secrets in text that leaves the process (logs, errors, HTTP bodies, audit rows, state). Two layers:
/// <list type="bullet">
/// <item>known values (from <see cref="SecretSettings"/>): each in its raw, JSON-escaped, URL-encoded and base64 forms,
/// the secret leaves of a JSON credential (<c>private_key</c>, …), and any fragment of 16 or more characters of them;</item>
/// <item>shapes, whoever's secret it is: PEM blocks, <c>AccountKey=</c>/<c>SharedAccessSignature=</c>/<c>sig=</c> and
/// similar key–value pairs, <c>Bearer …</c>, JWTs and Google access tokens.</item>
/// </list>
/// Pure and thread-safe; one instance serves every adapter and host.
/// </summary>
public sealed partial class SecretRedactor
{
    public const string Mask = "***";

    /// <summary>Shorter values are not masked on their own (they would mask ordinary words); shapes still apply.</summary>
    public const int MinimumSecretLength = 6;

    /// <summary>A run of this many key characters that occurs inside a known secret is masked wherever it appears.</summary>
    public const int FragmentLength = 16;

    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string[] _forms;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _windows;

    /// <summary>A redactor for these secret values (null, empty and too-short values are ignored).</summary>
    public SecretRedactor(IEnumerable<string?> secrets)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        var documents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in secrets)
        {
            if (!string.IsNullOrEmpty(s))
            {
                var leaves = JsonSecretLeaves(s).ToList();
                values.Add(s.Trim());
                values.UnionWith(leaves);
                if (leaves.Count > 0)
                {
                    documents.Add(s.Trim());
                }
            }
        }

        values.RemoveWhere(v => v.Length < MinimumSecretLength);
        Secrets = values;
        _forms = values.SelectMany(Forms).Where(f => f.Length >= MinimumSecretLength).Distinct(StringComparer.Ordinal)
            .OrderByDescending(f => f.Length).ToArray();
        var windows = new HashSet<string>(StringComparer.Ordinal);
        // A credential document's public fields (project, e-mail) are no secret: fragments count in its secret leaves only.
        foreach (var compact in values.Where(v => !documents.Contains(v)).Select(Compact))
        {
            for (var i = 0; i + FragmentLength <= compact.Length; i++)
            {
                windows.Add(compact.Substring(i, FragmentLength));
            }
        }

        _windows = windows.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Shapes only, for code that knows no secret values.</summary>
    public static SecretRedactor ShapesOnly { get; } = new([]);

    /// <summary>The secret values this redactor knows (after expanding JSON credentials).</summary>
    public IReadOnlyCollection<string> Secrets { get; }

    /// <summary>This redactor plus more secret values.</summary>
    public SecretRedactor With(IEnumerable<string?> more) => new(Secrets.Concat(more));

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        foreach (var form in _forms)
        {
            text = text.Replace(form, Mask, StringComparison.Ordinal);
        }

        text = Pem().Replace(text, Mask);
        text = KeyValue().Replace(text, m => m.Groups["name"].Value + m.Groups["sep"].Value + Mask);
        text = Bearer().Replace(text, m => m.Groups["scheme"].Value + " " + Mask);
        text = Jwt().Replace(text, Mask);
        text = GoogleAccessToken().Replace(text, Mask);
        return _windows.Set.Count == 0 ? text : KeyRun().Replace(text, m => IsFragment(m.Value) ? Mask : m.Value);
    }

    /// <summary>The forms a value takes when it is echoed: raw, JSON-escaped (strict and relaxed, once and twice), URL-encoded, base64, and its lines.</summary>
    public static IEnumerable<string> Forms(string secret)
    {
        yield return secret;
        foreach (var json in new[] { JsonSerializer.Serialize(secret)[1..^1], JsonSerializer.Serialize(secret, RelaxedJson)[1..^1] })
        {
            yield return json;
            yield return JsonSerializer.Serialize(json)[1..^1];
            yield return JsonSerializer.Serialize(json, RelaxedJson)[1..^1];
        }

        yield return Uri.EscapeDataString(secret);
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
        foreach (var line in secret.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return line;
        }
    }

    /// <summary>The values under secret-looking keys of a JSON credential document (e.g. a service-account key's <c>private_key</c>).</summary>
    public static IEnumerable<string> JsonSecretLeaves(string text)
    {
        if (!text.TrimStart().StartsWith('{'))
        {
            return [];
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            var leaves = new List<string>();
            Collect(doc.RootElement, null, leaves);
            return leaves;
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static void Collect(JsonElement e, string? name, List<string> leaves)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    Collect(p.Value, p.Name, leaves);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                {
                    Collect(item, name, leaves);
                }

                break;
            case JsonValueKind.String when name is not null && SecretSettings.IsSecretName(name):
                leaves.Add(e.GetString()!);
                break;
        }
    }

    /// <summary>A run of key characters (escapes decoded) with <see cref="FragmentLength"/> consecutive characters of a known secret.</summary>
    private bool IsFragment(string run)
    {
        if (run.Length < FragmentLength)
        {
            return false;
        }

        var compact = Compact(Decode(run)).AsSpan();
        for (var i = 0; i + FragmentLength <= compact.Length; i++)
        {
            if (_windows.Contains(compact.Slice(i, FragmentLength)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Only the characters of keys and tokens (base64, base64url, hex), so line breaks and escapes do not hide a fragment.</summary>
    private static string Compact(string s)
    {
        var b = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '_' or '-')
            {
                b.Append(c);
            }
        }

        return b.ToString();
    }

    private static string Decode(string run) =>
        Escape().Replace(run, m => m.Value switch
        {
            ['%', ..] => ((char)Convert.ToInt32(m.Value[1..], 16)).ToString(),
            ['\\', 'u', ..] => ((char)Convert.ToInt32(m.Value[2..], 16)).ToString(),
            ['\\', '/'] => "/",
            _ => "",
        });

    [GeneratedRegex(@"\\u[0-9A-Fa-f]{4}|%[0-9A-Fa-f]{2}|\\[nrt/]")]
    private static partial Regex Escape();

    /// <summary>A key-character run, through the escapes a JSON or URL encoding puts inside it.</summary>
    [GeneratedRegex(@"(?:[A-Za-z0-9+/=_\-]|\\u[0-9A-Fa-f]{4}|%[0-9A-Fa-f]{2}|\\[nrt/])+")]
    private static partial Regex KeyRun();

    /// <summary>A PEM block, also JSON-escaped, also cut short (an excerpt that ends inside it).</summary>
    [GeneratedRegex(@"-----BEGIN [A-Z0-9 ]{1,40}-----(?:[A-Za-z0-9+/=\s]|\\[nrt]|\\u00[0-9A-Fa-f]{2}|\\/)*(?:-----END [A-Z0-9 ]{1,40}-----)?")]
    private static partial Regex Pem();

    [GeneratedRegex(@"(?<name>\b(?:AccountKey|SharedAccessKey|SharedAccessSignature|sig|password|passphrase|client_secret|access_token|refresh_token|id_token|subject_token|assertion|private_key(?:_id)?|api[_-]?key))(?<sep>\\*""?\s*[=:]\s*\\*""?)(?!\*\*\*)(?<value>[^\s;&""'\\,}]+)", RegexOptions.IgnoreCase)]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"(?<scheme>\bBearer)\s+(?!\*\*\*)[A-Za-z0-9\-._~+/]+=*", RegexOptions.IgnoreCase)]
    private static partial Regex Bearer();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\bya29\.[A-Za-z0-9_\-.]{8,}")]
    private static partial Regex GoogleAccessToken();
}
