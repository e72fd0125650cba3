using System.Text;
using AiLbAutoscaler.Adapters.Pulumi.Actuation;
using AiLbAutoscaler.Adapters.Pulumi.Cli;
using AiLbAutoscaler.Adapters.Pulumi.Configuration;
using Microsoft.Extensions.Options;

namespace AiLbAutoscaler.Pulumi.Tests;

/// <summary>One recorded run of the stand-in: its argv, environment and working directory.</summary>
public sealed record StandInCall(IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Environment, string WorkDir)
{
    /// <summary>The argv with the value after <c>--event-log</c> replaced by <c>&lt;log&gt;</c>.</summary>
    public IReadOnlyList<string> ArgsWithoutLogPath =>
        Args.Select((a, i) => i > 0 && Args[i - 1] == "--event-log" ? "<log>" : a).ToList();

    public string? EventLogPath => Args.SkipWhile(a => a != "--event-log").Skip(1).FirstOrDefault();
}

/// <summary>
/// A STAND-IN for the <c>pulumi</c> CLI: a bash script the tests write to a temp folder and point the wrapper at
/// through its configurable binary path. It records argv (NUL-separated), environment and working directory of
/// every call, then replays canned stdout, stderr and event-log lines per subcommand, taken from the documented
/// contract (shared/reference/pulumi-cli-contract.md §2–4). It proves the wrapper follows that contract, not that the
/// real CLI behaves so.
/// </summary>
public sealed class StandInPulumi : IDisposable
{
    private const string Script = """
        #!/usr/bin/env bash
        # STAND-IN for the pulumi CLI (AiLbAutoscaler tests). Not the real CLI: it records and replays.
        dir='@DIR@'
        n=$(( $(cat "$dir/count" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$dir/count"
        printf '%s\0' "$@" > "$dir/calls/$n.argv"
        env -0 > "$dir/calls/$n.env"
        pwd > "$dir/calls/$n.cwd"
        case "$1" in stack|config) sub="$1-$2" ;; *) sub="$1" ;; esac
        k=$(( $(cat "$dir/count-$sub" 2>/dev/null || echo 0) + 1 )); echo "$k" > "$dir/count-$sub"
        base="$dir/responses/$sub.$k"
        compgen -G "$base.*" > /dev/null || base="$dir/responses/$sub"
        evlog=""; prev=""
        for a in "$@"; do [ "$prev" = "--event-log" ] && evlog="$a"; prev="$a"; done
        if [ -n "$evlog" ] && [ -f "$base.events" ]; then cat "$base.events" > "$evlog"; fi
        [ -f "$base.stdout" ] && cat "$base.stdout"
        [ -f "$base.stderr" ] && cat "$base.stderr" >&2
        if [ -f "$base.action" ]; then
          case "$(cat "$base.action")" in
            # Like the CLI: SIGINT cancels the update, stops the plugins and exits (recorded in $dir/sigint).
            hang) trap 'echo INT >> "$dir/sigint"; kill "$child" 2>/dev/null; exit 130' INT
                  sleep 300 & child=$!; echo "$child" > "$dir/grandchild.pid"; wait ;;
            # A CLI stuck past SIGINT: it records the signal and keeps waiting, so only a kill ends it.
            hang-past-sigint) trap 'echo INT >> "$dir/sigint"' INT
                  sleep 300 & child=$!; echo "$child" > "$dir/grandchild.pid"
                  while kill -0 "$child" 2>/dev/null; do wait "$child"; done ;;
            kill) kill -9 $$ ;;
            echo-secrets)
              # What a verbose or broken CLI could print: its environment, its argv, the credential files it was
              # pointed at, and the same again JSON-escaped (as a JSON error message would carry it).
              { echo "error: decrypting config failed; env PULUMI_CONFIG_PASSPHRASE=$PULUMI_CONFIG_PASSPHRASE PULUMI_ACCESS_TOKEN=$PULUMI_ACCESS_TOKEN" \
                  "GOOGLE_OAUTH_ACCESS_TOKEN=$GOOGLE_OAUTH_ACCESS_TOKEN AzureWebJobsStorage=$AzureWebJobsStorage" \
                  "passphrase file: $(cat "$PULUMI_CONFIG_PASSPHRASE_FILE" 2>/dev/null) GOOGLE_CREDENTIALS=$GOOGLE_CREDENTIALS"
                env; echo "argv: $*"
                for f in "$GOOGLE_APPLICATION_CREDENTIALS" "$PULUMI_CONFIG_PASSPHRASE_FILE"; do [ -f "$f" ] && cat "$f"; echo; done
                printf '{"message":"%s"}\n' "$(env | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | awk '{printf "%s\\n", $0}')"
              } >&2 ;;
          esac
        fi
        exit "$(cat "$base.exit" 2>/dev/null || echo 0)"
        """;

    public StandInPulumi()
    {
        Dir = Path.Combine(Path.GetTempPath(), "ailb-pulumi-standin-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(Dir, "calls"));
        Directory.CreateDirectory(Path.Combine(Dir, "responses"));
        Binary = Path.Combine(Dir, "pulumi");
        File.WriteAllText(Binary, Script.Replace("@DIR@", Dir, StringComparison.Ordinal).ReplaceLineEndings("\n") + "\n");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The stand-in pulumi is a bash script; run these tests on Linux or macOS.");
        }

        File.SetUnixFileMode(Binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        StandInEnvironment.EnsureSet();
    }

    public string Dir { get; }

    /// <summary>Path of the stand-in executable, named <c>pulumi</c>.</summary>
    public string Binary { get; }

    /// <summary>The repository's infra/ folder: the real program the stack would run.</summary>
    public static string InfraDir => Path.Combine(AiLbAutoscaler.Tests.Shared.RepositoryRoot.Path, "infra");

    /// <summary>Sets what the stand-in does for a subcommand (<c>up</c>, <c>stack-output</c>, <c>config-set</c>, …), for its
    /// <paramref name="occurrence"/>-th call or, when null, for every call without a more specific answer.</summary>
    public StandInPulumi On(
        string sub, int exit = 0, string? stdout = null, string? stderr = null, IEnumerable<string>? events = null, string? action = null, int? occurrence = null)
    {
        var b = Path.Combine(Dir, "responses", occurrence is null ? sub : $"{sub}.{occurrence}");
        File.WriteAllText(b + ".exit", exit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (stdout is not null)
        {
            File.WriteAllText(b + ".stdout", stdout);
        }

        if (stderr is not null)
        {
            File.WriteAllText(b + ".stderr", stderr);
        }

        if (events is not null)
        {
            File.WriteAllText(b + ".events", string.Join("\n", events) + "\n");
        }

        if (action is not null)
        {
            File.WriteAllText(b + ".action", action);
        }

        return this;
    }

    public StandInPulumi OutputsTargetSize(int size, int? occurrence = null) =>
        On("stack-output", stdout: Contract.StackOutputJson(size), occurrence: occurrence);

    public IReadOnlyList<StandInCall> Calls()
    {
        var count = File.Exists(Path.Combine(Dir, "count")) ? int.Parse(File.ReadAllText(Path.Combine(Dir, "count")).Trim(), System.Globalization.CultureInfo.InvariantCulture) : 0;
        var calls = new List<StandInCall>();
        for (var i = 1; i <= count; i++)
        {
            var p = Path.Combine(Dir, "calls", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var args = File.ReadAllText(p + ".argv", Encoding.UTF8).Split('\0');
            var env = File.ReadAllText(p + ".env", Encoding.UTF8).Split('\0', StringSplitOptions.RemoveEmptyEntries)
                .Select(kv => kv.Split('=', 2))
                .Where(kv => kv.Length == 2)
                .GroupBy(kv => kv[0])
                .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
            calls.Add(new StandInCall(args[..^1], env, File.ReadAllText(p + ".cwd").Trim()));
        }

        return calls;
    }

    /// <summary>How many SIGINTs the stand-in received while hanging.</summary>
    public int SigIntCount =>
        File.Exists(Path.Combine(Dir, "sigint")) ? File.ReadAllLines(Path.Combine(Dir, "sigint")).Length : 0;

    /// <summary>Null until the stand-in has written the pid whole (the shell creates the file before it writes to it).</summary>
    public int? GrandchildPid =>
        File.Exists(Path.Combine(Dir, "grandchild.pid")) &&
        int.TryParse(File.ReadAllText(Path.Combine(Dir, "grandchild.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;

    /// <summary>Options for one stack "inference" that runs this stand-in against the real infra/ program.</summary>
    public PulumiStackOptions StackOptions(int updateTimeoutSeconds = 60) => new()
    {
        Backend = PulumiBackend.Cli,
        WorkDir = InfraDir,
        StackName = "dev",
        Binary = Binary,
        UpdateTimeoutSeconds = updateTimeoutSeconds,
        CommandTimeoutSeconds = 30,
    };

    public PulumiCliFleetActuator Actuator(PulumiStackOptions? stackOptions = null, double interruptGraceSeconds = 30)
    {
        var opts = new PulumiActuatorOptions();
        opts.Stacks["inference"] = new PulumiStackSection { Pulumi = stackOptions ?? StackOptions() };
        new PulumiActuatorOptionsValidator(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()).PostConfigure(null, opts);
        return new PulumiCliFleetActuator(
            Options.Create(opts), new PulumiProcessRunner(TimeProvider.System) { InterruptGrace = TimeSpan.FromSeconds(interruptGraceSeconds) }, TimeProvider.System);
    }

    public PulumiCli Cli(IReadOnlyDictionary<string, string?>? env = null, double upTimeoutSeconds = 60, double interruptGraceSeconds = 30) =>
        new(new PulumiCliSettings(Binary, InfraDir, "dev", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(upTimeoutSeconds), env ?? new Dictionary<string, string?>()),
            new PulumiProcessRunner(TimeProvider.System) { InterruptGrace = TimeSpan.FromSeconds(interruptGraceSeconds) });

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// Fixed, fake values for the variables the wrapper must pass through and never reveal. Set once in the test process
/// (same values for every class, so parallel classes do not disturb each other).
/// </summary>
public static class StandInEnvironment
{
    public const string Passphrase = "standin-passphrase-Zq81";
    public const string AccessToken = "pul-standin-token-4f9c2e";
    /// <summary>A service-account key in the documented shape; its private key is a fixed, fake PEM body (not a key).</summary>
    public const string GoogleCredentials =
        "{\"type\":\"service_account\",\"project_id\":\"standin-proj\",\"private_key_id\":\"standinkeyid0123456789abcdef\"," +
        "\"private_key\":\"-----BEGIN PRIVATE KEY-----\\n" + PrivateKeyLine1 + "\\n" + PrivateKeyLine2 + "\\n-----END PRIVATE KEY-----\\n\"," +
        "\"client_email\":\"standin@standin-proj.iam.gserviceaccount.com\"}";

    public const string PrivateKeyLine1 = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQStandInKeyLine1";
    public const string PrivateKeyLine2 = "Zm9vYmFyU3RhbmRJbktleUxpbmUyTm90QVJlYWxLZXlKdXN0QmFzZTY0VGV4dA==";

    /// <summary>The host's own storage connection string: the child process must never see it.</summary>
    public const string StorageAccountKey = "c3RhbmRpbi1hY2NvdW50LWtleS1ub3QtcmVhbC0wMTIzNDU2Nzg5YWJjZGVm";
    public const string HostStorage = "DefaultEndpointsProtocol=https;AccountName=standinacct;AccountKey=" + StorageAccountKey + ";EndpointSuffix=core.windows.net";

    /// <summary>The content of the file PULUMI_CONFIG_PASSPHRASE_FILE names.</summary>
    public const string PassphraseFileContent = "standin-passphrase-from-file-Kx37vq";

    /// <summary>A second private key, only in the file GOOGLE_APPLICATION_CREDENTIALS names.</summary>
    public const string AdcKeyLine = "MIIEowIBAAKCAQEAStandInApplicationDefaultCredentialsKeyLineOnly0";

    public static string CredentialsDir { get; } = Path.Combine(Path.GetTempPath(), "ailb-standin-credentials-" + Environment.ProcessId);
    public const string BackendUrl = "file:///tmp/ailb-standin-backend";
    private static readonly object Gate = new();
    private static bool _set;

    public static void EnsureSet()
    {
        lock (Gate)
        {
            if (_set)
            {
                return;
            }

            Environment.SetEnvironmentVariable("PULUMI_CONFIG_PASSPHRASE", Passphrase);
            Environment.SetEnvironmentVariable("PULUMI_ACCESS_TOKEN", AccessToken);
            Environment.SetEnvironmentVariable("GOOGLE_CREDENTIALS", GoogleCredentials);
            Environment.SetEnvironmentVariable("PULUMI_BACKEND_URL", BackendUrl);
            Environment.SetEnvironmentVariable("AzureWebJobsStorage", HostStorage);
            Directory.CreateDirectory(CredentialsDir);
            var passphraseFile = Path.Combine(CredentialsDir, "passphrase.txt");
            File.WriteAllText(passphraseFile, PassphraseFileContent + "\n");
            var adcFile = Path.Combine(CredentialsDir, "adc.json");
            File.WriteAllText(adcFile, "{\"type\":\"service_account\",\"private_key\":\"-----BEGIN RSA PRIVATE KEY-----\\n" + AdcKeyLine + "\\n-----END RSA PRIVATE KEY-----\\n\"}");
            Environment.SetEnvironmentVariable("PULUMI_CONFIG_PASSPHRASE_FILE", passphraseFile);
            Environment.SetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS", adcFile);
            _set = true;
        }
    }
}
