using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Deployment;

/// <summary>
/// The examples are root modules over this module. (terraform/README.md's tables of inputs and outputs are
/// generated from the module's .tf files by Docs/DocGenerator; GeneratedDocsTest compares them.)
/// </summary>
public sealed class TerraformDocsTest
{
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
        var moduleOutputs = Docs.TerraformTables.ModuleBlocks("outputs.tf", "output").Select(o => o.Name).ToList();
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
}
