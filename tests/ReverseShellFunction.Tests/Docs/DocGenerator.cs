using System.Text;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Docs;

/// <summary>
/// The generated parts of the documentation, in one place: docs/cli.md's real output, README.md's configuration
/// table, terraform/README.md's input and output tables and its smoke-test output. <see cref="WriteAsync"/> (run as
/// <see cref="Command"/>) writes them; the tests in GeneratedDocsTest only compare, so no test writes into the
/// source tree.
/// </summary>
internal static class DocGenerator
{
    public const string Command = "dotnet run --project tests/ReverseShellFunction.Tests -- write-docs";

    /// <summary>One generated file: its path from the repository root, its text now, and what it should be.</summary>
    public sealed record GeneratedDoc(string Path, string Current, string Expected)
    {
        public bool UpToDate => Current == Expected;
    }

    public static async Task<GeneratedDoc> CliMdAsync()
    {
        var current = RepositoryFiles.Read("docs", "cli.md");
        using var docs = new CliDocs();
        return new GeneratedDoc("docs/cli.md", current, await docs.RenderAsync(current));
    }

    public static GeneratedDoc Readme()
    {
        var readme = RepositoryFiles.Read("README.md");
        var from = readme.IndexOf("| Variable | Default | Limits |", StringComparison.Ordinal);
        if (from < 0)
        {
            throw new InvalidOperationException("README.md has no configuration table (| Variable | Default | Limits | …)");
        }

        // The table runs from its header to the first blank line.
        var to = readme.IndexOf("\n\n", from, StringComparison.Ordinal);
        return new GeneratedDoc("README.md", readme, readme[..from] + SettingsCatalog.MarkdownTable() + readme[(to < 0 ? readme.Length : to + 1)..]);
    }

    public static async Task<GeneratedDoc> TerraformReadmeAsync()
    {
        var readme = RepositoryFiles.Read("terraform", "README.md");
        var expected = Section(readme, "inputs", TerraformTables.Inputs());
        expected = Section(expected, "outputs", TerraformTables.Outputs());
        expected = await SmokeTestDocs.RenderAsync(expected);
        return new GeneratedDoc("terraform/README.md", readme, expected);
    }

    public static async Task<IReadOnlyList<GeneratedDoc>> AllAsync() => [await CliMdAsync(), Readme(), await TerraformReadmeAsync()];

    /// <summary>Writes every generated file that differs; returns how many it wrote.</summary>
    public static async Task<int> WriteAsync(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var written = 0;
        foreach (var doc in await AllAsync())
        {
            if (doc.UpToDate)
            {
                await output.WriteLineAsync($"{doc.Path}: up to date");
                continue;
            }

            await File.WriteAllTextAsync(RepositoryFiles.Path([.. doc.Path.Split('/')]), doc.Expected, new UTF8Encoding(false));
            await output.WriteLineAsync($"{doc.Path}: written (review the diff and commit it)");
            written++;
        }

        return written;
    }

    /// <summary>Replaces what lies between <c>&lt;!-- NAME: generated … --&gt;</c> and <c>&lt;!-- end of NAME --&gt;</c>.</summary>
    private static string Section(string readme, string name, string content)
    {
        var start = $"<!-- {name}: generated from the .tf files; TerraformDocsTest checks it -->\n";
        var end = $"<!-- end of {name} -->";
        var from = readme.IndexOf(start, StringComparison.Ordinal);
        var to = readme.IndexOf(end, StringComparison.Ordinal);
        return from >= 0 && to > from
            ? readme[..(from + start.Length)] + content + readme[to..]
            : throw new InvalidOperationException($"terraform/README.md needs the markers {start.Trim()} and {end}");
    }
}
