using System.Text.RegularExpressions;
using AiLbAutoscaler.Adapters.Pulumi.Configuration;
using YamlDotNet.Serialization;

namespace AiLbAutoscaler.Pulumi.Tests;

/// <summary>A Pulumi YAML program file, parsed with YamlDotNet into maps, lists and strings.</summary>
public sealed class YamlProgram
{
    public YamlProgram(string path)
    {
        Path = path;
        Root = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object?>>(File.ReadAllText(path))
            ?? throw new InvalidOperationException($"{path} is empty");
    }

    public string Path { get; }

    public Dictionary<object, object?> Root { get; }

    public Dictionary<object, object?> Section(string name) =>
        Root.TryGetValue(name, out var s) && s is Dictionary<object, object?> d ? d : [];

    public Dictionary<object, object?> Config => Section("config");

    public Dictionary<object, object?> Resources => Section("resources");

    public Dictionary<object, object?> Outputs => Section("outputs");

    public Dictionary<object, object?> Resource(string key) => (Dictionary<object, object?>)Resources[key]!;

    public Dictionary<object, object?> Props(string key) => (Dictionary<object, object?>)Resource(key)["properties"]!;

    public string TypeOf(string key) => (string)Resource(key)["type"]!;

    /// <summary>The single resource of a type token (short form).</summary>
    public string KeyOf(string type) => Assert.Single(Resources, r => TypeOf((string)r.Key) == type).Key.ToString()!;

    public Dictionary<object, object?> Props(string type, bool byType) => Props(KeyOf(type));

    /// <summary>Every string scalar with its path, anywhere under <paramref name="node"/>.</summary>
    public static IEnumerable<(string Path, string Value)> Strings(object? node, string path)
    {
        switch (node)
        {
            case string s:
                yield return (path, s);
                break;
            case Dictionary<object, object?> map:
                foreach (var (k, v) in map)
                {
                    foreach (var x in Strings(v, $"{path}.{k}"))
                    {
                        yield return x;
                    }
                }

                break;
            case List<object?> list:
                for (var i = 0; i < list.Count; i++)
                {
                    foreach (var x in Strings(list[i], $"{path}[{i}]"))
                    {
                        yield return x;
                    }
                }

                break;
        }
    }

    public object? ConfigDefault(string key) =>
        Config[key] is Dictionary<object, object?> d ? d.GetValueOrDefault("default") : Config[key];
}

/// <summary>
/// Checks infra/Pulumi.yaml (and the HTTPS add-on) against the reference: type tokens, property names, that every
/// <c>${…}</c> resolves, that the size comes from config with one owner, and that the chain is wired end to end.
/// </summary>
[Trait("Area", "Pulumi")]
public sealed partial class ProgramTests
{
    private static readonly YamlProgram Main = new(System.IO.Path.Combine(StandInPulumi.InfraDir, "Pulumi.yaml"));
    private static readonly YamlProgram Https = new(System.IO.Path.Combine(StandInPulumi.InfraDir, "https", "Pulumi.yaml"));

    public static TheoryData<string> Programs => new() { "main", "https" };

    private static YamlProgram Get(string which) => which == "main" ? Main : Https;

    [Theory]
    [MemberData(nameof(Programs))]
    public void It_is_a_yaml_program_with_config_not_the_deprecated_configuration(string which)
    {
        var p = Get(which);
        Assert.Equal("yaml", p.Root["runtime"]);
        Assert.False(p.Root.ContainsKey("configuration"), "use `config`, the root-level `configuration` is deprecated");
        Assert.All(p.Root.Keys, k => Assert.Contains((string)k, new[] { "name", "runtime", "description", "config", "resources", "variables", "outputs", "pulumi", "backend", "options" }));
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void Every_type_token_and_property_name_is_in_the_reference(string which)
    {
        var p = Get(which);
        var problems = new List<string>();
        foreach (var (k, v) in p.Resources)
        {
            var key = (string)k;
            var resource = (Dictionary<object, object?>)v!;
            problems.AddRange(resource.Keys.Cast<string>().Except(ProgramSchema.ResourceKeys).Select(x => $"{key}: unknown resource key '{x}'"));
            problems.AddRange((resource.GetValueOrDefault("options") as Dictionary<object, object?> ?? []).Keys.Cast<string>()
                .Except(ProgramSchema.OptionKeys).Select(x => $"{key}: unknown option '{x}'"));
            var type = (string)resource["type"]!;
            if (!ProgramSchema.Types.TryGetValue(type, out var schema))
            {
                problems.Add($"{key}: type token '{type}' is not one the program may use");
                continue;
            }

            var props = resource.GetValueOrDefault("properties") as Dictionary<object, object?> ?? [];
            problems.AddRange(props.Keys.Cast<string>().Except(schema.Inputs).Select(x => $"{key} ({type}): '{x}' is not an input"));
            problems.AddRange(schema.Required.Except(props.Keys.Cast<string>()).Select(x => $"{key} ({type}): required input '{x}' is missing"));
            foreach (var (prop, value) in props)
            {
                if (!ProgramSchema.Nested.TryGetValue($"{type}.{prop}", out var nested))
                {
                    continue;
                }

                var items = value switch
                {
                    List<object?> list => list.OfType<Dictionary<object, object?>>().ToList(),
                    Dictionary<object, object?> one => [one],
                    _ => [],
                };
                foreach (var item in items)
                {
                    problems.AddRange(item.Keys.Cast<string>().Except(nested.Keys).Select(x => $"{key}.{prop}: '{x}' is not a field"));
                    problems.AddRange(nested.Required.Except(item.Keys.Cast<string>()).Select(x => $"{key}.{prop}: required field '{x}' is missing"));
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void Every_interpolation_resolves_to_config_a_resource_output_or_a_builtin(string which)
    {
        var p = Get(which);
        var problems = new List<string>();
        foreach (var (path, value) in YamlProgram.Strings(p.Resources, "resources").Concat(YamlProgram.Strings(p.Outputs, "outputs")))
        {
            foreach (Match m in Interpolation().Matches(value))
            {
                var expr = m.Groups[1].Value;
                var access = Access().Match(expr);
                if (!access.Success)
                {
                    problems.Add($"{path}: cannot read '${{{expr}}}'");
                    continue;
                }

                var root = access.Groups["root"].Value;
                var prop = access.Groups["prop"].Success ? access.Groups["prop"].Value : null;
                if (root == "pulumi")
                {
                    if (prop is not ("cwd" or "organization" or "project" or "stack"))
                    {
                        problems.Add($"{path}: '${{{expr}}}' is not a pulumi built-in variable");
                    }
                }
                else if (p.Resources.ContainsKey(root))
                {
                    var schema = ProgramSchema.Types[p.TypeOf(root)];
                    if (prop is not null && !schema.Outputs.Contains(prop) && !schema.Inputs.Contains(prop))
                    {
                        problems.Add($"{path}: '{prop}' is not an output of {root} ({p.TypeOf(root)})");
                    }
                }
                else if (!p.Config.ContainsKey(root) || prop is not null)
                {
                    problems.Add($"{path}: '${{{expr}}}' names no config key, resource or built-in");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void Every_config_entry_is_typed_and_has_a_default(string which)
    {
        var p = Get(which);
        Assert.All(p.Config, c =>
        {
            var decl = Assert.IsType<Dictionary<object, object?>>(c.Value);
            Assert.Contains((string)decl["type"]!, ProgramSchema.ConfigTypes);
            Assert.True(decl.ContainsKey("default"), $"config '{c.Key}' has no default");
        });
    }

    [Fact]
    public void TargetSize_comes_from_stack_config_and_has_one_owner()
    {
        var fleet = Main.Props(Main.KeyOf("gcp:compute:InstanceGroupManager"));
        Assert.Equal("${targetSize}", fleet["targetSize"]);
        var decl = (Dictionary<object, object?>)Main.Config["targetSize"]!;
        Assert.Equal("integer", decl["type"]);

        // No version carries its own size, no autoscaler exists, and nothing tells Pulumi to ignore the size.
        Assert.All((List<object?>)fleet["versions"]!, v => Assert.False(((Dictionary<object, object?>)v!).ContainsKey("targetSize")));
        foreach (var program in new[] { Main, Https })
        {
            Assert.DoesNotContain(program.Resources.Values.Cast<Dictionary<object, object?>>(), r => ((string)r["type"]!).Contains("Autoscaler", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(YamlProgram.Strings(program.Resources, "resources"), s => s.Path.Contains("ignoreChanges", StringComparison.Ordinal) && s.Value.Contains("targetSize", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_actuator_defaults_match_the_program()
    {
        var defaults = new PulumiStackOptions();
        Assert.Equal(defaults.GroupManagerResource, Main.KeyOf("gcp:compute:InstanceGroupManager"));
        Assert.Equal(defaults.GroupManagerType, ProgramSchema.Types["gcp:compute:InstanceGroupManager"].Canonical);
        Assert.True(Main.Config.ContainsKey(defaults.ConfigKey));
        Assert.Equal("${" + Main.KeyOf("gcp:compute:InstanceGroupManager") + ".targetSize}", Main.Outputs[defaults.SizeOutput]);
        Assert.Equal("ailb-inference", Main.Root["name"]);
    }

    [Fact]
    public void Outputs_are_the_ip_the_instance_group_and_the_size()
    {
        Assert.Equal("${address.address}", Main.Outputs["lbIpAddress"]);
        Assert.Equal("${fleet.instanceGroup}", Main.Outputs["instanceGroup"]);
        Assert.True(Main.Outputs.ContainsKey("targetSize"));

        // The HTTPS add-on reads only outputs the base program has.
        var used = YamlProgram.Strings(Https.Resources, "resources").Concat(YamlProgram.Strings(Https.Outputs, "outputs"))
            .SelectMany(s => StackOutputRef().Matches(s.Value)).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(used);
        Assert.All(used, o => Assert.True(Main.Outputs.ContainsKey(o), $"https add-on reads base output '{o}', which the base program does not export"));
    }

    [Fact]
    public void The_named_port_matches_the_backend_services_port_name_and_the_serving_port()
    {
        var fleet = Main.Props(Main.KeyOf("gcp:compute:InstanceGroupManager"));
        var backend = Main.Props(Main.KeyOf("gcp:compute:BackendService"));
        var named = ((List<object?>)fleet["namedPorts"]!).Cast<Dictionary<object, object?>>().ToList();
        var port = Assert.Single(named, n => (string)n["name"]! == (string)backend["portName"]!);
        Assert.Equal("http", port["name"]);
        Assert.Equal("${servingPort}", port["port"]);
        var check = (Dictionary<object, object?>)Main.Props(Main.KeyOf("gcp:compute:HealthCheck"))["httpHealthCheck"]!;
        Assert.Equal("${servingPort}", check["port"]);
        Assert.Equal("${healthPath}", check["requestPath"]);
    }

    [Fact]
    public void The_firewall_admits_both_health_check_ranges_on_the_serving_port_to_the_instances()
    {
        var fw = Main.Props(Main.KeyOf("gcp:compute:Firewall"));
        Assert.Equal("INGRESS", fw["direction"]);
        var ranges = ((List<object?>)fw["sourceRanges"]!).Cast<string>().ToList();
        Assert.Contains("130.211.0.0/22", ranges);
        Assert.Contains("35.191.0.0/16", ranges);
        var allow = Assert.Single(((List<object?>)fw["allows"]!).Cast<Dictionary<object, object?>>());
        Assert.Equal("tcp", allow["protocol"]);

        // Firewall ports are strings: an integer config must be interpolated into a string, not substituted.
        var ports = ((List<object?>)allow["ports"]!).Cast<string>().ToList();
        Assert.Contains("${servingPort}-${servingPort}", ports);
        Assert.DoesNotContain(ports, x => x == "${servingPort}");

        var templateTags = ((List<object?>)Main.Props(Main.KeyOf("gcp:compute:InstanceTemplate"))["tags"]!).Cast<string>();
        Assert.Subset(templateTags.ToHashSet(), ((List<object?>)fw["targetTags"]!).Cast<string>().ToHashSet());
    }

    [Fact]
    public void The_chain_is_wired_template_group_backend_urlmap_proxy_rule()
    {
        string Ref(string type, string output) => "${" + Main.KeyOf(type) + "." + output + "}";
        var fleet = Main.Props(Main.KeyOf("gcp:compute:InstanceGroupManager"));
        var version = (Dictionary<object, object?>)((List<object?>)fleet["versions"]!)[0]!;
        Assert.Equal(Ref("gcp:compute:InstanceTemplate", "selfLinkUnique"), version["instanceTemplate"]);
        Assert.Equal(Ref("gcp:compute:HealthCheck", "id"), ((Dictionary<object, object?>)fleet["autoHealingPolicies"]!)["healthCheck"]);

        var backend = Main.Props(Main.KeyOf("gcp:compute:BackendService"));
        Assert.IsType<string>(backend["healthChecks"]);
        Assert.Equal(Ref("gcp:compute:HealthCheck", "id"), backend["healthChecks"]);
        var be = (Dictionary<object, object?>)((List<object?>)backend["backends"]!)[0]!;
        Assert.Equal(Ref("gcp:compute:InstanceGroupManager", "instanceGroup"), be["group"]);
        Assert.True(be.ContainsKey("balancingMode") && be.ContainsKey("capacityScaler"));
        Assert.True(backend.ContainsKey("connectionDrainingTimeoutSec"));
        Assert.True(Convert.ToInt32(Main.ConfigDefault("backendTimeoutSec"), System.Globalization.CultureInfo.InvariantCulture) >= 300, "long generations need a long backend timeout");

        Assert.Equal(Ref("gcp:compute:BackendService", "id"), Main.Props(Main.KeyOf("gcp:compute:URLMap"))["defaultService"]);
        Assert.Equal(Ref("gcp:compute:URLMap", "id"), Main.Props(Main.KeyOf("gcp:compute:TargetHttpProxy"))["urlMap"]);
        var rule = Main.Props(Main.KeyOf("gcp:compute:GlobalForwardingRule"));
        Assert.Equal(Ref("gcp:compute:TargetHttpProxy", "id"), rule["target"]);
        Assert.Equal(backend["loadBalancingScheme"], rule["loadBalancingScheme"]);
    }

    [Fact]
    public void The_template_has_an_optional_gpu_that_terminates_on_host_maintenance_and_a_startup_script()
    {
        var t = Main.Props(Main.KeyOf("gcp:compute:InstanceTemplate"));
        var gpu = (Dictionary<object, object?>)((List<object?>)t["guestAccelerators"]!)[0]!;
        Assert.Equal("${gpuCount}", gpu["count"]);
        Assert.Equal("TERMINATE", ((Dictionary<object, object?>)t["scheduling"]!)["onHostMaintenance"]);
        var disk = (Dictionary<object, object?>)((List<object?>)t["disks"]!)[0]!;
        Assert.Equal("true", disk["boot"]);
        Assert.Equal("${bootImage}", disk["sourceImage"]);
        var script = (string)t["metadataStartupScript"]!;
        Assert.Contains("--port ${servingPort}", script);
        Assert.Contains("docker run", script);
        Assert.False(((Dictionary<object, object?>)t.GetValueOrDefault("metadata", new Dictionary<object, object?>())!).ContainsKey("startup-script"), "metadataStartupScript replaces metadata.startup-script; use one");
    }

    [Fact]
    public void The_driver_loads_for_built_in_gpus_too_so_gpuCount_0_is_no_cpu_switch()
    {
        // G2, A2 and A3 machine types carry GPUs whatever guestAccelerators says: the script looks for any NVIDIA PCI device.
        var script = (string)Main.Props(Main.KeyOf("gcp:compute:InstanceTemplate"))["metadataStartupScript"]!;
        Assert.Contains("""if [ "${gpuCount}" -gt 0 ] || grep -qs 0x10de /sys/bus/pci/devices/*/vendor; then""", script);
        var gpuCount = (string)((Dictionary<object, object?>)Main.Config["gpuCount"]!)["description"]!;
        Assert.Contains("G2, A2 and A3", gpuCount);
        var docs = File.ReadAllText(System.IO.Path.Combine(AiLbAutoscaler.Tests.Shared.RepositoryRoot.Path, "docs", "pulumi.md"));
        Assert.DoesNotContain("gives a CPU-only fleet", docs);
    }

    [Fact]
    public void The_server_image_is_pinned_by_a_version_tag_and_gets_host_ipc()
    {
        var image = (string)Main.ConfigDefault("serverImage")!;
        Assert.Matches(@"^[a-z0-9./-]+:v?[0-9]+\.[0-9]+\.[0-9]+$", image);
        // vLLM's Docker docs: --ipc=host (or a larger --shm-size) for its shared-memory tensors.
        var script = (string)Main.Props(Main.KeyOf("gcp:compute:InstanceTemplate"))["metadataStartupScript"]!;
        Assert.Matches(@"docker run [^\n]*(--ipc=host|--shm-size)", script);
    }

    [Fact]
    public void The_capacity_scaler_is_1_because_gcp_rejects_0_with_a_single_backend()
    {
        var backend = Main.Props(Main.KeyOf("gcp:compute:BackendService"));
        var backends = (List<object?>)backend["backends"]!;
        Assert.Single(backends);
        Assert.Equal("1", ((Dictionary<object, object?>)backends[0]!)["capacityScaler"]);
        Assert.False(Main.Config.ContainsKey("capacityScaler"), "a capacityScaler setting could be set to 0, which GCP rejects for a single backend");
    }

    [Fact]
    public void The_sample_stack_config_sets_only_declared_keys()
    {
        var dev = new DeserializerBuilder().Build().Deserialize<Dictionary<object, Dictionary<object, object?>>>(
            File.ReadAllText(System.IO.Path.Combine(StandInPulumi.InfraDir, "Pulumi.dev.yaml")))["config"];
        Assert.All(dev.Keys.Cast<string>(), k =>
        {
            var (ns, key) = (k.Split(':')[0], k.Split(':')[1]);
            Assert.True(ns == "gcp" || ns == (string)Main.Root["name"]! && Main.Config.ContainsKey(key), $"Pulumi.dev.yaml sets '{k}', which the program does not declare");
        });
    }

    [GeneratedRegex(@"(?<!\$)\$\{([^}]*)\}")]
    private static partial Regex Interpolation();

    [GeneratedRegex(@"^(?:(?<root>[A-Za-z_][A-Za-z0-9_]*)|\[""(?<root>[^""]+)""\])(?:\.(?<prop>[A-Za-z_][A-Za-z0-9_]*))?(?:\[""[^""]+""\]|\[\d+\]|\.[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial Regex Access();

    [GeneratedRegex(@"\$\{base\.outputs\[""([^""]+)""\]\}")]
    private static partial Regex StackOutputRef();
}
