using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Docs;

/// <summary>
/// The documentation's generated parts are what the generator makes now: docs/cli.md (every command's real
/// output), README.md's configuration table, terraform/README.md's tables and smoke-test output. The tests only
/// compare; <see cref="DocGenerator.Command"/> writes the files.
/// </summary>
public sealed class GeneratedDocsTest
{
    [Fact]
    public async Task DocsCliMd_ShowsTheCurrentOutputOfEveryCommand() => AssertUpToDate(await DocGenerator.CliMdAsync());

    [Fact]
    public void ReadmeConfigurationTable_IsTheSettingsCatalog() => AssertUpToDate(DocGenerator.Readme());

    [Fact]
    public async Task TerraformReadme_TablesMatchTheTfFiles_AndSmokeTestOutputIsReal() => AssertUpToDate(await DocGenerator.TerraformReadmeAsync());

    [Fact]
    public async Task Comparing_NeverWritesIntoTheSourceTree()
    {
        string[] files = ["docs/cli.md", "README.md", "terraform/README.md"];
        var before = files.Select(f => File.GetLastWriteTimeUtc(RepositoryFiles.Path([.. f.Split('/')]))).ToList();
        _ = await DocGenerator.AllAsync();
        Assert.Equal(before, files.Select(f => File.GetLastWriteTimeUtc(RepositoryFiles.Path([.. f.Split('/')]))));
    }

    private static void AssertUpToDate(DocGenerator.GeneratedDoc doc)
    {
        if (doc.UpToDate)
        {
            return;
        }

        var current = doc.Current.Split('\n');
        var expected = doc.Expected.Split('\n');
        var line = Enumerable.Range(0, Math.Min(current.Length, expected.Length)).FirstOrDefault(i => current[i] != expected[i], Math.Min(current.Length, expected.Length));
        Assert.Fail($"{doc.Path} is out of date from line {line + 1}: run `{DocGenerator.Command}`, review the diff and commit it.\n"
            + $"now:      {(line < current.Length ? current[line] : "(end)")}\nexpected: {(line < expected.Length ? expected[line] : "(end)")}");
    }
}
