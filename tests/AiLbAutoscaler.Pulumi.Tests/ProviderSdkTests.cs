namespace AiLbAutoscaler.Pulumi.Tests;

/// <summary>Both programs, and broken copies of the main one, in one compiler run (the SDK's declarations take seconds to load).</summary>
public sealed class ProviderSdkResults : IDisposable
{
    public static readonly (string Name, string Find, string Replace, string Path, string Says)[] Breakages =
    [
        ("misspelt property", "          sourceImage: ${bootImage}", "          sourceImag: ${bootImage}",
            "resources.template.properties.disks[0].sourceImag", "sourceImag"),
        ("object written as an array", "      autoHealingPolicies:\n        healthCheck: ${healthcheck.id}\n        initialDelaySec: ${autoHealingInitialDelaySec}",
            "      autoHealingPolicies:\n        - healthCheck: ${healthcheck.id}\n          initialDelaySec: ${autoHealingInitialDelaySec}",
            "resources.fleet.properties.autoHealingPolicies", "autoHealingPolicies"),
        ("array written as an object", "      tags:\n        - ${instanceTag}", "      tags:\n        first: ${instanceTag}",
            "resources.template.properties.tags", "tags"),
        ("wrong value type", "        maxSurgeFixed: 1", "        maxSurgeFixed: one",
            "resources.fleet.properties.updatePolicy.maxSurgeFixed", "number"),
        ("missing required property", "      versions:\n        - name: primary\n          instanceTemplate: ${template.selfLinkUnique}\n", "",
            "resources.fleet.properties", "versions"),
        ("unknown output", "${template.selfLinkUnique}", "${template.selfLinkUnik}",
            "resources.fleet.properties.versions[0].instanceTemplate", "selfLinkUnik"),
        ("unknown type token", "type: gcp:compute:HealthCheck", "type: gcp:compute:HealthChek",
            "resources.healthcheck.type", "HealthChek"),
        ("unknown name in a reference", "defaultService: ${backend.id}", "defaultService: ${backendd.id}",
            "resources.urlmap.properties.defaultService", "backendd"),
    ];

    public ProviderSdkResults()
    {
        var root = AiLbAutoscaler.Tests.Shared.RepositoryRoot.Path;
        var main = Path.Combine(root, "infra", "Pulumi.yaml");
        var https = Path.Combine(root, "infra", "https", "Pulumi.yaml");
        Copies = Directory.CreateTempSubdirectory("pulumi-broken-").FullName;
        var text = File.ReadAllText(main);
        var broken = Breakages.Select((b, i) =>
        {
            Assert.True(text.Contains(b.Find, StringComparison.Ordinal), $"{b.Name}: the program no longer contains the text the copy breaks");
            var path = Path.Combine(Copies, $"broken{i}.yaml");
            File.WriteAllText(path, text.Replace(b.Find, b.Replace, StringComparison.Ordinal));
            return path;
        });
        var results = ProviderSdkCheck.Check([main, https, .. broken]);
        Main = results[0];
        Https = results[1];
        Broken = results.Skip(2).ToList();
    }

    public string Copies { get; }

    public void Dispose() => Directory.Delete(Copies, recursive: true);

    public IReadOnlyList<string> Main { get; }

    public IReadOnlyList<string> Https { get; }

    public IReadOnlyList<IReadOnlyList<string>> Broken { get; }
}

/// <summary>
/// infra/Pulumi.yaml and infra/https/Pulumi.yaml checked against the real provider SDK (@pulumi/gcp, the version the docs
/// name), and proof on broken copies that the check catches each kind of mistake.
/// </summary>
[Trait("Area", "Pulumi")]
public sealed class ProviderSdkTests(ProviderSdkResults results) : IClassFixture<ProviderSdkResults>
{
    public static TheoryData<int> Breakages => new(Enumerable.Range(0, ProviderSdkResults.Breakages.Length));

    [Fact]
    public void The_sdk_is_the_version_the_docs_name()
    {
        Assert.Equal("9.35.0", ProviderSdkCheck.SdkVersion());
        Assert.Contains("resource gcp 9.35.0", File.ReadAllText(Path.Combine(AiLbAutoscaler.Tests.Shared.RepositoryRoot.Path, "docs", "pulumi.md")));
    }

    [Fact]
    public void The_main_program_type_checks_against_the_provider_sdk() =>
        Assert.True(results.Main.Count == 0, string.Join("\n", results.Main));

    [Fact]
    public void The_https_program_type_checks_against_the_provider_sdk() =>
        Assert.True(results.Https.Count == 0, string.Join("\n", results.Https));

    [Theory]
    [MemberData(nameof(Breakages))]
    public void A_broken_copy_of_the_program_fails_at_the_broken_place(int which)
    {
        var breakage = ProviderSdkResults.Breakages[which];
        var problems = results.Broken[which];

        Assert.True(problems.Any(p => p.StartsWith(breakage.Path, StringComparison.Ordinal) && p.Contains(breakage.Says, StringComparison.Ordinal)),
            $"{breakage.Name}: expected a problem at {breakage.Path} mentioning '{breakage.Says}'; got:\n{string.Join("\n", problems)}");
    }
}
