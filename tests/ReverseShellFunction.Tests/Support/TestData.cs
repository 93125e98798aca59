namespace ReverseShellFunction.Tests.Support;

/// <summary>Sample events (copied next to the test assembly) and test resources.</summary>
internal static class TestData
{
    public static string SamplePath(string name) => Path.Combine(AppContext.BaseDirectory, "Samples", name);

    public static byte[] Sample(string name) => File.ReadAllBytes(SamplePath(name));

    public static string Resource(string name) => Path.Combine(AppContext.BaseDirectory, "Resources", name);
}
