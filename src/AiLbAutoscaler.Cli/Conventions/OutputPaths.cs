namespace AiLbAutoscaler.Cli.Conventions;

/// <summary>Checks, before a run starts, that its outputs can be written, so a long run never ends in an I/O error.</summary>
public static class OutputPaths
{
    /// <summary>The value of a file option that means stdout (<c>--json -</c>).</summary>
    public const string Stdout = "-";

    public static void CheckFile(string path, string flag)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"{flag}: '{path}' is a folder; give a file name.");
        }

        CheckFolder(Path.GetDirectoryName(Path.GetFullPath(path))!, flag, path);
    }

    public static void CheckFolderOption(string path, string flag)
    {
        if (File.Exists(path))
        {
            throw new UsageException($"{flag}: '{path}' is a file; give a folder (it is created if missing).");
        }

        CheckFolder(Path.GetFullPath(path), flag, path);
    }

    /// <summary>The nearest existing folder on the way must be a folder we can create files in.</summary>
    private static void CheckFolder(string folder, string flag, string given)
    {
        var existing = folder;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
            {
                throw new UsageException($"{flag}: cannot write '{given}': '{existing}' is a file, not a folder.");
            }

            existing = Path.GetDirectoryName(existing) ?? throw new UsageException($"{flag}: cannot write '{given}'.");
        }

        var probe = Path.Combine(existing, $".ailb-write-check-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new UsageException($"{flag}: cannot write '{given}': no permission to create files in '{existing}'.");
        }
    }
}
