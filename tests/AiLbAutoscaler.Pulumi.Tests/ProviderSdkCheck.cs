using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace AiLbAutoscaler.Pulumi.Tests;

/// <summary>
/// Checks a Pulumi YAML program against the real provider SDK, <c>@pulumi/gcp</c> (installed by tests/setup.sh, its
/// TypeScript declarations generated from the provider schema). Each resource becomes a typed TypeScript declaration:
/// <c>const args: XArgs = { ... }</c> for its properties and <c>declare const r: X</c> for its outputs, config entries
/// become constants of their declared types, and every <c>${...}</c> becomes an expression over those. The TypeScript
/// compiler (tests/tools/check-pulumi-program.mjs) then finds what the provider would reject: unknown or misspelt
/// properties (excess-property checks), object-vs-array nesting, value types, missing required properties and
/// unknown outputs. Type tokens are checked here, against the SDK's module index and its registered
/// <c>__pulumiType</c>. Each problem comes back with the YAML path it concerns.
/// </summary>
public static partial class ProviderSdkCheck
{
    public static string ToolsDirectory => Path.Combine(AiLbAutoscaler.Tests.Shared.RepositoryRoot.Path, ".tools");

    public static string SdkDirectory => Path.Combine(ToolsDirectory, "node_modules", "@pulumi", "gcp");

    /// <summary>Checks several programs with one compiler run (loading the SDK's declarations dominates the time).</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Check(params string[] yamlPaths)
    {
        if (!File.Exists(Path.Combine(SdkDirectory, "package.json")))
        {
            throw new InvalidOperationException($"@pulumi/gcp is not installed in {SdkDirectory}: run tests/setup.sh.");
        }

        var work = Directory.CreateTempSubdirectory("pulumi-sdk-check-").FullName;
        try
        {
            var generated = yamlPaths.Select((p, i) => Generate(p, Path.Combine(work, $"program{i}.ts"))).ToList();
            var diagnostics = RunCompiler(generated.Select(g => g.File).ToList());
            return generated.Select(g => (IReadOnlyList<string>)
                [.. g.Problems, .. diagnostics.Where(d => d.File == g.File).Select(d => $"{g.PathAt(d.Line)}: {d.Message}")]).ToList();
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    public static string SdkVersion()
    {
        using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(SdkDirectory, "package.json")));
        return package.RootElement.GetProperty("version").GetString()!;
    }

    private sealed record Diagnostic(string File, int Line, string Message);

    private static List<Diagnostic> RunCompiler(List<string> files)
    {
        var script = Path.Combine(AiLbAutoscaler.Tests.Shared.RepositoryRoot.Path, "tests", "tools", "check-pulumi-program.mjs");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(ToolsDirectory);
        foreach (var file in files)
        {
            start.ArgumentList.Add(file);
        }

        using var node = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        if (!node.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            node.Kill(entireProcessTree: true);
            throw new TimeoutException("The TypeScript check did not finish within 3 minutes.");
        }

        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"The TypeScript check failed to run (exit {node.ExitCode}): {stderr.Result}");
        }

        using var json = JsonDocument.Parse(stdout.Result);
        return json.RootElement.EnumerateArray()
            .Select(d => new Diagnostic(d.GetProperty("file").GetString()!, d.GetProperty("line").GetInt32(), d.GetProperty("message").GetString()!))
            .ToList();
    }

    private sealed class Generated(string file)
    {
        private readonly StringBuilder _text = new();
        private readonly List<string> _paths = [];

        public string File { get; } = file;

        public List<string> Problems { get; } = [];

        public void Line(string text, string path)
        {
            _text.Append(text).Append('\n');
            _paths.Add(path);
        }

        public string PathAt(int line) => line >= 1 && line <= _paths.Count ? _paths[line - 1] : "(generated)";

        public void Save() => System.IO.File.WriteAllText(File, _text.ToString());
    }

    private static Generated Generate(string yamlPath, string tsPath)
    {
        var output = new Generated(tsPath);
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(yamlPath)))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var config = Section(root, "config");
        var resources = Section(root, "resources");
        var names = new Scope(
            config.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToHashSet(StringComparer.Ordinal),
            resources.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToHashSet(StringComparer.Ordinal));

        output.Line("import * as pulumi from \"@pulumi/pulumi\";", "(imports)");
        foreach (var (key, node) in resources.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            var type = (node as YamlMappingNode)?.Children.TryGetValue(new YamlScalarNode("type"), out var t) == true ? ((YamlScalarNode)t).Value! : "";
            if (ResolveToken(type, out var module, out var className, out var problem))
            {
                output.Line(module is null
                    ? $"type T_{Id(name)} = pulumi.{className}; type A_{Id(name)} = pulumi.{className}Args;"
                    : $"import type {{ {className} as T_{Id(name)}, {className}Args as A_{Id(name)} }} from \"@pulumi/gcp/{module}\";",
                    $"resources.{name}.type");
            }
            else
            {
                output.Problems.Add($"resources.{name}.type: {problem}");
                output.Line($"type T_{Id(name)} = any; type A_{Id(name)} = any;", $"resources.{name}.type");
            }
        }

        foreach (var (key, node) in config.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            var path = $"config.{name}";
            var declaration = (YamlMappingNode)node;
            var tsType = ConfigType(declaration, path, output.Problems);
            if (declaration.Children.TryGetValue(new YamlScalarNode("default"), out var fallback))
            {
                output.Line($"const c_{Id(name)}: {tsType} =", path);
                Emit(output, fallback, $"{path}.default", names, literalOnly: true);
                output.Line(";", path);
            }
            else
            {
                output.Line($"declare const c_{Id(name)}: {tsType};", path);
            }
        }

        foreach (var (key, node) in resources.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            var path = $"resources.{name}";
            var resource = (YamlMappingNode)node;
            foreach (var field in resource.Children.Keys.Select(k => ((YamlScalarNode)k).Value!))
            {
                if (field is not ("type" or "properties" or "options" or "get" or "defaultProvider"))
                {
                    output.Problems.Add($"{path}.{field}: not a resource field (type, properties, options, get, defaultProvider)");
                }
            }

            output.Line($"declare const r_{Id(name)}: T_{Id(name)};", path);
            output.Line($"const a_{Id(name)}: A_{Id(name)} =", $"{path}.properties");
            if (resource.Children.TryGetValue(new YamlScalarNode("properties"), out var properties))
            {
                Emit(output, properties, $"{path}.properties", names, literalOnly: false);
            }
            else
            {
                output.Line("{}", $"{path}.properties");
            }

            output.Line(";", $"{path}.properties");
        }

        var index = 0;
        foreach (var (key, node) in Section(root, "outputs").Children)
        {
            output.Line($"const o_{index++} =", $"outputs.{((YamlScalarNode)key).Value}");
            Emit(output, node, $"outputs.{((YamlScalarNode)key).Value}", names, literalOnly: false);
            output.Line(";", $"outputs.{((YamlScalarNode)key).Value}");
        }

        // Every declaration is used, so that strict mode has nothing to say about the scaffolding itself.
        output.Line("export {};", "(end)");
        output.Save();
        return output;
    }

    private sealed record Scope(HashSet<string> Config, HashSet<string> Resources);

    private static YamlMappingNode Section(YamlMappingNode root, string name) =>
        root.Children.TryGetValue(new YamlScalarNode(name), out var node) && node is YamlMappingNode map ? map : new YamlMappingNode();

    private static string ConfigType(YamlMappingNode declaration, string path, List<string> problems)
    {
        var type = declaration.Children.TryGetValue(new YamlScalarNode("type"), out var t) ? ((YamlScalarNode)t).Value : null;
        switch (type)
        {
            case "string":
                return "string";
            case "integer":
            case "number":
                return "number";
            case "boolean":
                return "boolean";
            case "array":
                var items = declaration.Children.TryGetValue(new YamlScalarNode("items"), out var i) && i is YamlMappingNode map
                    ? ConfigType(map, $"{path}.items", problems)
                    : "unknown";
                return $"{items}[]";
            default:
                problems.Add($"{path}.type: '{type}' is not a Pulumi YAML config type (string, integer, number, boolean, array, object)");
                return "unknown";
        }
    }

    /// <summary>
    /// Resolves a type token the way pulumi-yaml does (short <c>gcp:compute:URLMap</c> or canonical
    /// <c>gcp:compute/uRLMap:URLMap</c>) and checks it against the SDK: the module's index exports the class, and the
    /// class registers the canonical token.
    /// </summary>
    private static bool ResolveToken(string token, out string? module, out string className, out string problem)
    {
        module = null;
        className = "";
        problem = "";
        if (token == "pulumi:pulumi:StackReference")
        {
            className = "StackReference";
            return true;
        }

        var parts = token.Split(':');
        if (parts.Length != 3 || parts[0] != "gcp")
        {
            problem = $"'{token}' is not a gcp type token (gcp:<module>:<Type>)";
            return false;
        }

        var moduleName = parts[1].Split('/')[0];
        className = parts[2];
        var index = Path.Combine(SdkDirectory, moduleName, "index.d.ts");
        if (!File.Exists(index))
        {
            problem = $"'{token}': @pulumi/gcp has no module '{moduleName}'";
            return false;
        }

        var export = Regex.Match(File.ReadAllText(index), $@"export type {Regex.Escape(className)} = import\(""\./(?<file>[A-Za-z0-9]+)""\)\.{Regex.Escape(className)};");
        if (!export.Success)
        {
            problem = $"'{token}': @pulumi/gcp/{moduleName} has no resource '{className}'";
            return false;
        }

        var canonical = $"gcp:{moduleName}/{char.ToLowerInvariant(className[0])}{className[1..]}:{className}";
        var js = File.ReadAllText(Path.Combine(SdkDirectory, moduleName, export.Groups["file"].Value + ".js"));
        if (!js.Contains($"__pulumiType = '{canonical}'", StringComparison.Ordinal))
        {
            problem = $"'{token}': the SDK's {className} does not register the token {canonical}";
            return false;
        }

        if (parts[1].Contains('/') && token != canonical)
        {
            problem = $"'{token}' is not the canonical token {canonical}";
            return false;
        }

        module = $"{moduleName}/{export.Groups["file"].Value}";
        return true;
    }

    private static void Emit(Generated output, YamlNode node, string path, Scope names, bool literalOnly)
    {
        switch (node)
        {
            case YamlMappingNode map:
                output.Line("{", path);
                foreach (var (key, value) in map.Children)
                {
                    var name = ((YamlScalarNode)key).Value!;
                    output.Line($"{JsonSerializer.Serialize(name)}:", $"{path}.{name}");
                    Emit(output, value, $"{path}.{name}", names, literalOnly);
                    output.Line(",", $"{path}.{name}");
                }

                output.Line("}", path);
                break;
            case YamlSequenceNode list:
                output.Line("[", path);
                for (var i = 0; i < list.Children.Count; i++)
                {
                    Emit(output, list.Children[i], $"{path}[{i}]", names, literalOnly);
                    output.Line(",", $"{path}[{i}]");
                }

                output.Line("]", path);
                break;
            case YamlScalarNode scalar:
                output.Line(Scalar(scalar, path, names, literalOnly, output.Problems), path);
                break;
        }
    }

    [GeneratedRegex(@"\$\$\{|\$\{(?<ref>[^}]*)\}")]
    private static partial Regex Interpolation();

    [GeneratedRegex(@"^-?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^-?[0-9]*\.[0-9]+([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();

    private static string Scalar(YamlScalarNode scalar, string path, Scope names, bool literalOnly, List<string> problems)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any)
        {
            if (value is "true" or "false")
            {
                return value;
            }

            if (value is "null" or "~" or "")
            {
                return "null";
            }

            if (Integer().IsMatch(value) || Float().IsMatch(value))
            {
                return double.Parse(value, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);
            }
        }

        var matches = Interpolation().Matches(value);
        if (!matches.Any(m => m.Groups["ref"].Success))
        {
            return JsonSerializer.Serialize(value.Replace("$${", "${", StringComparison.Ordinal));
        }

        if (literalOnly)
        {
            problems.Add($"{path}: a config default cannot interpolate");
            return "null as never";
        }

        if (matches.Count == 1 && matches[0].Index == 0 && matches[0].Length == value.Length)
        {
            return Reference(matches[0].Groups["ref"].Value, path, names, problems);
        }

        // A string with interpolations is an Output<string>, as in pulumi-yaml.
        var template = new StringBuilder("pulumi.interpolate`");
        var at = 0;
        foreach (Match m in matches)
        {
            template.Append(TemplateText(value[at..m.Index]));
            template.Append(m.Groups["ref"].Success ? "${" + Reference(m.Groups["ref"].Value, path, names, problems) + "}" : "\\${");
            at = m.Index + m.Length;
        }

        template.Append(TemplateText(value[at..])).Append('`');
        return template.ToString();
    }

    private static string TemplateText(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal)
            .Replace("${", "\\${", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);

    [GeneratedRegex(@"^(?<name>[A-Za-z_][A-Za-z0-9_-]*)(?<rest>(\.[A-Za-z_][A-Za-z0-9_]*|\[""[^""]*""\]|\[[0-9]+\])*)$")]
    private static partial Regex ReferenceSyntax();

    /// <summary>A <c>${...}</c> as an expression: config constant, resource output, or one of pulumi's built-ins.</summary>
    private static string Reference(string reference, string path, Scope names, List<string> problems)
    {
        var m = ReferenceSyntax().Match(reference);
        if (!m.Success)
        {
            problems.Add($"{path}: '${{{reference}}}' is not a reference (name, .property, [\"key\"], [index])");
            return "(null as never)";
        }

        var name = m.Groups["name"].Value;
        var rest = m.Groups["rest"].Value;
        if (name == "pulumi")
        {
            return rest switch
            {
                ".stack" => "pulumi.getStack()",
                ".project" => "pulumi.getProject()",
                ".organization" => "pulumi.getOrganization()",
                ".cwd" => "(\"\" as string)",
                _ => Unknown($"'${{{reference}}}': pulumi has stack, project, organization and cwd"),
            };
        }

        if (names.Resources.Contains(name))
        {
            return $"r_{Id(name)}{rest}";
        }

        if (names.Config.Contains(name))
        {
            return $"c_{Id(name)}{rest}";
        }

        return Unknown($"'${{{reference}}}': no config entry or resource is named '{name}'");

        string Unknown(string message)
        {
            problems.Add($"{path}: {message}");
            return "(null as never)";
        }
    }

    private static string Id(string name) => name.Replace('-', '_');
}
