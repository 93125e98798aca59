namespace ReverseShellFunction.Tests.Support;

/// <summary>Files of the repository itself (README, Terraform, Dockerfile), found upwards from the test assembly.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(Path(parts)).ReplaceLineEndings("\n");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "ReverseShellFunction.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ReverseShellFunction.sln not found above " + AppContext.BaseDirectory);
    }
}
