namespace AiLbAutoscaler.Tests.Shared;

/// <summary>The repository's top folder: the first folder above the test's output that holds AiLbAutoscaler.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "AiLbAutoscaler.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No AiLbAutoscaler.sln above {AppContext.BaseDirectory}: run the tests from a checkout of the repository.");
    }
}
