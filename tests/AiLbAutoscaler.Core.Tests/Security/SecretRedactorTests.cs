using System.Text.Json;
using AiLbAutoscaler.Core.Security;

namespace AiLbAutoscaler.Core.Tests.Security;

[Trait("Area", "Core")]
public sealed class SecretRedactorTests : IDisposable
{
    private const string KeyBody1 = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDTestKeyLineOne";
    private const string KeyBody2 = "c2Vjb25kTGluZU9mQVRlc3RLZXlUaGF0SXNOb3RBUmVhbEtleUF0QWxsMDEyMzQ1";
    private static readonly string PrivateKey = $"-----BEGIN PRIVATE KEY-----\n{KeyBody1}\n{KeyBody2}\n-----END PRIVATE KEY-----\n";
    private static readonly string Credentials = JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["project_id"] = "my-inference-project",
        ["private_key"] = PrivateKey,
        ["client_email"] = "svc@my-inference-project.iam.gserviceaccount.com",
        ["token_uri"] = "https://oauth2.googleapis.com/token",
    });

    private readonly string _dir = Directory.CreateTempSubdirectory("ailb-redactor-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Values_are_masked_longest_first_and_short_ones_are_left()
    {
        var redactor = new SecretRedactor(["abcdef", "abcdefghij", "x", null]);

        Assert.Equal("*** and *** and x", redactor.Redact("abcdefghij and abcdef and x"));
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("json")]
    [InlineData("json-twice")]
    [InlineData("url")]
    public void A_credential_and_its_private_key_are_masked_in_every_escaped_form(string form)
    {
        var redactor = new SecretRedactor([Credentials]);
        var text = form switch
        {
            "raw" => Credentials,
            "json" => JsonSerializer.Serialize(Credentials),
            "json-twice" => JsonSerializer.Serialize(JsonSerializer.Serialize(Credentials)),
            _ => Uri.EscapeDataString(Credentials),
        };

        var redacted = redactor.Redact("error: " + text);

        Assert.DoesNotContain(KeyBody1[..20], redacted);
        Assert.DoesNotContain(KeyBody2[^20..], redacted);
        Assert.StartsWith("error: ", redacted);
    }

    [Fact]
    public void A_fragment_of_the_private_key_is_masked_wherever_it_is_cut()
    {
        var redactor = new SecretRedactor([Credentials]);
        var fragment = "id-" + KeyBody1[40..] + "\\n" + KeyBody2[..12];

        var redacted = redactor.Redact($"could not parse key near \"{fragment}\" (line 2)");

        Assert.DoesNotContain(KeyBody1[40..], redacted);
        Assert.Contains("could not parse key near", redacted);
        Assert.Contains("my-inference-project", redactor.Redact("project my-inference-project")); // public fields stay
    }

    [Theory]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0LWFjY291bnQta2V5LXZhbHVl;EndpointSuffix=core.windows.net", "c2VjcmV0LWFjY291bnQta2V5")]
    [InlineData("BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&ss=b&sig=AbCdEfGhIjKlMnOp%2B%3D", "AbCdEfGhIjKlMnOp")]
    [InlineData("GET https://a.blob.core.windows.net/c?sv=2022&sig=ZYXWVUTSRQ%2Fabc%3D&se=2026", "ZYXWVUTSRQ")]
    [InlineData("Authorization: Bearer ya29.a0AfH6SMBx-some-token_value", "a0AfH6SMBx")]
    [InlineData("token eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJlLXBhcnQ", "c2lnbmF0dXJlLXBhcnQ")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAunknownKeyBody\\n-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEAunknown")]
    [InlineData("cut short: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF", "MIIEvQIBADANBgkq")]
    [InlineData("{\"client_secret\":\"GOCSPX-abcdefghijklmnop\"}", "GOCSPX-abcdef")]
    public void Secrets_nobody_declared_are_masked_by_shape(string text, string secretPart)
    {
        var redacted = SecretRedactor.ShapesOnly.Redact(text);

        Assert.DoesNotContain(secretPart, redacted);
        Assert.Contains(SecretRedactor.Mask, redacted);
    }

    [Fact]
    public void Settings_yield_secret_values_connection_string_keys_and_credential_file_contents()
    {
        var keyFile = Path.Combine(_dir, "key.json");
        File.WriteAllText(keyFile, Credentials);
        var passFile = Path.Combine(_dir, "pass.txt");
        File.WriteAllText(passFile, "passphrase-from-a-file-123\n");
        var redactor = new SecretRedactor(SecretSettings.From(new Dictionary<string, string?>
        {
            ["GOOGLE_APPLICATION_CREDENTIALS"] = keyFile,
            ["PULUMI_CONFIG_PASSPHRASE_FILE"] = passFile,
            ["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=QWNjb3VudEtleVZhbHVlMTIz;EndpointSuffix=x",
            ["Autoscaler:Stacks:s:Pulumi:Deployments:TokenSetting"] = "PULUMI_ACCESS_TOKEN",
            ["MY_API_TOKEN"] = "token-value-456",
            ["PULUMI_BACKEND_URL"] = "gs://state-bucket",
        }));

        var text = $"{KeyBody1} passphrase-from-a-file-123 QWNjb3VudEtleVZhbHVlMTIz token-value-456 gs://state-bucket PULUMI_ACCESS_TOKEN {keyFile}";

        Assert.Equal($"*** *** *** *** gs://state-bucket PULUMI_ACCESS_TOKEN {keyFile}", redactor.Redact(text));
    }
}
