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
}
