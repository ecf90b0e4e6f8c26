namespace Testing.Services;

public static class RepoRoot
{
    /// <summary>The checkout's root: the folder holding Omegle.Media.sln above the test binaries.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(System.IO.Path.Combine(d.FullName, "Omegle.Media.sln"))) return d.FullName;
        throw new InvalidOperationException("Omegle.Media.sln not found above " + AppContext.BaseDirectory);
    }
}
