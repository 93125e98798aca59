using System.Text;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Deployment;

/// <summary>
/// terraform/README.md's tables of inputs and outputs are generated from the module's .tf files; this
/// test fails when they drift apart, and its message carries the table to paste.
/// </summary>
public sealed class TerraformDocsTest
{
    [Fact]
    public void ReadmeInputsTable_MatchesVariablesTf()
    {
        var variables = ModuleBlocks("variables.tf", "variable");
        var table = new StringBuilder("| Input | Type | Default | Description |\n|---|---|---|---|\n");
        foreach (var variable in variables)
        {
            var type = variable.Argument("type") ?? "any";
            var defaultValue = variable.Argument("default") is { } value ? $"`{value}`" : "**required**";
            table.Append($"| `{variable.Name}` | `{type}` | {Cell(defaultValue)} | {Cell(variable.Text1("description") ?? "")} |\n");
        }

        AssertSection("inputs", table.ToString());
    }

    [Fact]
    public void ReadmeOutputsTable_MatchesOutputsTf()
    {
        var outputs = ModuleBlocks("outputs.tf", "output");
        var table = new StringBuilder("| Output | Description |\n|---|---|\n");
        foreach (var output in outputs)
        {
            table.Append($"| `{output.Name}` | {Cell(output.Text1("description") ?? "")} |\n");
        }

        AssertSection("outputs", table.ToString());
    }

    [Fact]
    public void EveryExample_IsARootModuleOverThisModule()
    {
        var examples = Directory.GetDirectories(RepositoryFiles.Path("terraform", "examples"));
        Assert.Equal(["organization-scope", "project-scope", "push-delivery"], examples.Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var example in examples)
        {
            var text = string.Concat(Directory.GetFiles(example, "*.tf").Select(File.ReadAllText));
            Assert.Contains("source = \"../..\"", text, StringComparison.Ordinal);
            Assert.Contains("provider \"google\" {", text, StringComparison.Ordinal);
            Assert.Contains("provider \"google-beta\" {", text, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(example, "terraform.tfvars.example")), $"{example} has no terraform.tfvars.example");
        }

        // The module itself configures no provider, so callers can use count, for_each and depends_on on it.
        foreach (var file in Directory.GetFiles(RepositoryFiles.Path("terraform"), "*.tf"))
        {
            Assert.DoesNotContain("\nprovider \"", "\n" + File.ReadAllText(file), StringComparison.Ordinal);
        }
    }

    /// <summary>The docs tell operators to run <c>terraform output NAME</c> in the example folder: every output works there.</summary>
    [Fact]
    public void EveryExample_ReexportsEveryOutputOfTheModule()
    {
        var moduleOutputs = ModuleBlocks("outputs.tf", "output").Select(o => o.Name).ToList();
        Assert.NotEmpty(moduleOutputs);
        foreach (var example in Directory.GetDirectories(RepositoryFiles.Path("terraform", "examples")))
        {
            var outputs = Directory.GetFiles(example, "*.tf").SelectMany(f => TerraformBlocks.Read(File.ReadAllText(f), "output")).ToList();
            Assert.All(moduleOutputs, name => Assert.True(
                outputs.Any(o => o.Name == name && o.Argument("value") == $"module.reverse_shell_evidence.{name}"),
                $"{Path.GetFileName(example)} does not re-export the module's output {name}"));
        }
    }

    /// <summary>
    /// Under data residency only the location's endpoint serves its SCC v2 notification configs, and the module has
    /// no provider of its own: each example passes scc_location on and points the google provider there.
    /// </summary>
    [Fact]
    public void EveryExample_SendsScc_ToTheLocationsEndpoint()
    {
        foreach (var example in Directory.GetDirectories(RepositoryFiles.Path("terraform", "examples")))
        {
            var text = string.Concat(Directory.GetFiles(example, "*.tf").Order(StringComparer.Ordinal).Select(File.ReadAllText));
            Assert.Contains("scc_location          = var.scc_location", text, StringComparison.Ordinal);
            Assert.Contains(
                "security_center_v2_custom_endpoint = var.scc_location == \"global\" ? null : \"https://securitycenter.${var.scc_location}.rep.googleapis.com/v2/\"",
                text,
                StringComparison.Ordinal);
        }
    }

    /// <summary>The module's blocks of one kind: the conventional file first, then any other .tf file, so an
    /// input or output declared elsewhere (a feature's own file) is documented too.</summary>
    private static List<TerraformBlock> ModuleBlocks(string conventionalFile, string kind)
    {
        var files = Directory.GetFiles(RepositoryFiles.Path("terraform"), "*.tf")
            .OrderBy(f => Path.GetFileName(f) == conventionalFile ? 0 : 1)
            .ThenBy(f => Path.GetFileName(f), StringComparer.Ordinal);
        return [.. files.SelectMany(f => TerraformBlocks.Read(File.ReadAllText(f), kind))];
    }

    private static void AssertSection(string name, string expected)
    {
        var readme = RepositoryFiles.Read("terraform", "README.md");
        var start = $"<!-- {name}: generated from the .tf files; TerraformDocsTest checks it -->\n";
        var end = $"<!-- end of {name} -->";
        var from = readme.IndexOf(start, StringComparison.Ordinal);
        var to = readme.IndexOf(end, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"terraform/README.md needs the markers {start.Trim()} and {end}");
        if (readme[(from + start.Length)..to] != expected)
        {
            // Like docs/cli.md: the file is regenerated for review, and the test still fails so the change is committed.
            File.WriteAllText(RepositoryFiles.Path("terraform", "README.md"), readme[..(from + start.Length)] + expected + readme[to..]);
            Assert.Fail($"terraform/README.md's {name} table was out of date and has been regenerated: review and commit it.");
        }
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
