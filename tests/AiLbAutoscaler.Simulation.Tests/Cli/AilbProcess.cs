using System.Diagnostics;
using AiLbAutoscaler.Tests.Shared;

namespace AiLbAutoscaler.Simulation.Tests.Cli;

/// <summary>
/// Runs the built <c>ailb.dll</c> with <c>dotnet</c> as a separate process, as a user would: its own stdout, stderr and
/// exit code. The test build builds the CLI project (a project reference), so nothing is built here.
/// </summary>
internal static class AilbProcess
{
    public sealed record Result(int Code, string Out, string Err)
    {
        public override string ToString() => $"exit {Code}\n--- stdout\n{Out}\n--- stderr\n{Err}";
    }

    public static string Dll { get; } = Find();

    public static Result Run(string[] args, IDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? TempFiles.NewDirectory(),
        };
        start.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment.Remove("COLUMNS");
        start.Environment.Remove("AILB_DEBUG");
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ailb {string.Join(' ', args)} ran over 3 minutes");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The CLI's own build output for this test build's configuration (bin/&lt;Configuration&gt;/&lt;tfm&gt;).</summary>
    private static string Find()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = here.Name;
        var configuration = here.Parent!.Name;
        var dll = Path.Combine(RepositoryRoot.Path, "src", "AiLbAutoscaler.Cli", "bin", configuration, tfm, "ailb.dll");
        return File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json"))
            ? dll
            : throw new FileNotFoundException($"The CLI is not built at {dll}; build the test project (it references the CLI) first.", dll);
    }
}
