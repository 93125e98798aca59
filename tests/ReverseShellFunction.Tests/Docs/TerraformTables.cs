using System.Text;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Docs;

/// <summary>terraform/README.md's tables of inputs and outputs, from the module's .tf files.</summary>
internal static class TerraformTables
{
    public static string Inputs()
    {
        var table = new StringBuilder("| Input | Type | Default | Description |\n|---|---|---|---|\n");
        foreach (var variable in ModuleBlocks("variables.tf", "variable"))
        {
            var type = variable.Argument("type") ?? "any";
            var defaultValue = variable.Argument("default") is { } value ? $"`{value}`" : "**required**";
            table.Append($"| `{variable.Name}` | `{type}` | {Cell(defaultValue)} | {Cell(variable.Text1("description") ?? "")} |\n");
        }

        return table.ToString();
    }

    public static string Outputs()
    {
        var table = new StringBuilder("| Output | Description |\n|---|---|\n");
        foreach (var output in ModuleBlocks("outputs.tf", "output"))
        {
            table.Append($"| `{output.Name}` | {Cell(output.Text1("description") ?? "")} |\n");
        }

        return table.ToString();
    }

    /// <summary>The module's blocks of one kind: the conventional file first, then any other .tf file, so an
    /// input or output declared elsewhere (a feature's own file) is documented too.</summary>
    internal static List<TerraformBlock> ModuleBlocks(string conventionalFile, string kind)
    {
        var files = Directory.GetFiles(RepositoryFiles.Path("terraform"), "*.tf")
            .OrderBy(f => Path.GetFileName(f) == conventionalFile ? 0 : 1)
            .ThenBy(f => Path.GetFileName(f), StringComparer.Ordinal);
        return [.. files.SelectMany(f => TerraformBlocks.Read(File.ReadAllText(f), kind))];
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
