using System.Globalization;
using System.Text.RegularExpressions;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Deployment;

/// <summary>
/// The app's settings catalog is the one source of every setting's default and limits: the Terraform inputs
/// that set them must validate exactly those limits and default to the same value (an input the app refuses is a
/// revision that never becomes ready), and the README's configuration table must be the catalog's.
/// </summary>
public sealed partial class SettingsParityTest
{
    private static readonly IReadOnlyList<TerraformBlock> s_variables =
        TerraformBlocks.Read(RepositoryFiles.Read("terraform", "variables.tf"), "variable");

    public static TheoryData<string> TerraformNumberSettings()
    {
        var data = new TheoryData<string>();
        foreach (var setting in SettingsCatalog.All.OfType<NumberSetting>().Where(s => s.TerraformVariable is not null))
        {
            data.Add(setting.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TerraformNumberSettings))]
    public void TerraformVariable_HasTheAppsDefaultAndLimits(string name)
    {
        var setting = SettingsCatalog.All.OfType<NumberSetting>().Single(s => s.Name == name);
        var variable = s_variables.SingleOrDefault(v => v.Name == setting.TerraformVariable);
        Assert.True(variable is not null, $"terraform/variables.tf has no variable \"{setting.TerraformVariable}\" for {name}");

        Assert.Equal("number", variable.Argument("type"));
        Assert.Equal(setting.Default.ToString(CultureInfo.InvariantCulture), variable.Argument("default"));

        // Every comparison of the variable with a constant, in every validation: exactly the app's two bounds.
        var comparisons = Comparison().Matches(variable.Text)
            .Where(m => m.Groups["var"].Value == setting.TerraformVariable)
            .Select(m => $"{m.Groups["op"].Value} {m.Groups["value"].Value}")
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(
            new[] { $"<= {setting.Max.ToString(CultureInfo.InvariantCulture)}", $">= {setting.Min.ToString(CultureInfo.InvariantCulture)}" },
            comparisons);

        // The app takes whole numbers only; 1.5 must fail at plan, not at start.
        Assert.Contains($"floor(var.{setting.TerraformVariable}) == var.{setting.TerraformVariable}", variable.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ContainerEnvironment_SetsCatalogSettingsFromTheirVariables()
    {
        var locals = RepositoryFiles.Read("terraform", "locals.tf");
        var env = Regex.Match(locals, @"function_env = merge\((?<body>.*?)\n  \)", RegexOptions.Singleline);
        Assert.True(env.Success, "locals.tf must define function_env = merge({ ... }, ...)");
        var assigned = EnvAssignment().Matches(env.Groups["body"].Value).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value.Trim());
        Assert.NotEmpty(assigned);

        var catalogNames = SettingsCatalog.All.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(assigned.Keys, key => Assert.True(catalogNames.Contains(key), $"{key} is set by Terraform but is not a setting the app reads"));

        foreach (var setting in SettingsCatalog.All.OfType<NumberSetting>().Where(s => s.TerraformVariable is not null))
        {
            Assert.True(assigned.TryGetValue(setting.Name, out var value), $"locals.tf does not pass {setting.Name}");
            Assert.Equal($"tostring(var.{setting.TerraformVariable})", value);
        }
    }

    /// <summary>
    /// A setting whose Terraform column names an input is one the module really sets: the column is what an operator
    /// reads to learn what a deployment runs with (SCC_API_ENDPOINT, once set from scc_location, no longer is).
    /// </summary>
    [Fact]
    public void SettingsWithATerraformInput_AreSetByTheModule()
    {
        var module = string.Join("\n", Directory.GetFiles(RepositoryFiles.Path("terraform"), "*.tf").Order(StringComparer.Ordinal).Select(File.ReadAllText));
        Assert.All(
            SettingsCatalog.All.Where(s => s.TerraformVariable is not null),
            s => Assert.True(
                Regex.IsMatch(module, $@"(?<![A-Z_]){s.Name}(?![A-Z_])(\s*=|"")"),
                $"{s.Name} names the input {s.TerraformVariable}, but no terraform/*.tf file sets it"));
    }

    public static TheoryData<string> NumberSettings()
    {
        var data = new TheoryData<string>();
        foreach (var setting in SettingsCatalog.All.OfType<NumberSetting>())
        {
            data.Add(setting.Name);
        }

        return data;
    }

    /// <summary>Inclusive at both ends, as Terraform's <c>&gt;=</c> and <c>&lt;=</c>: the same values pass both.</summary>
    [Theory]
    [MemberData(nameof(NumberSettings))]
    public void FunctionSettings_AcceptTheLimitsAndRefuseOneBeyond(string name)
    {
        var setting = SettingsCatalog.All.OfType<NumberSetting>().Single(s => s.Name == name);
        string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

        FunctionSettings.From(n => n == name ? Text(setting.Min) : null);
        FunctionSettings.From(n => n == name ? Text(setting.Max) : null);
        Assert.Throws<InvalidOperationException>(() => FunctionSettings.From(n => n == name ? Text(setting.Max + 1) : null));
        if (setting.Min > 0)
        {
            Assert.Throws<InvalidOperationException>(() => FunctionSettings.From(n => n == name ? Text(setting.Min - 1) : null));
        }
    }

    [Fact]
    public void Catalog_DefaultsAreInsideTheirLimits_AndNamesAreUnique()
    {
        Assert.All(SettingsCatalog.All.OfType<NumberSetting>(), s => Assert.InRange(s.Default, s.Min, s.Max));
        Assert.Equal(SettingsCatalog.All.Count, SettingsCatalog.All.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [GeneratedRegex(@"var\.(?<var>[a-z_]+)\s*(?<op>>=|<=|>|<)\s*(?<value>[0-9]+)")]
    private static partial Regex Comparison();

    [GeneratedRegex(@"^\s*(?<name>[A-Z_]+)\s*=\s*(?<value>.+)$", RegexOptions.Multiline)]
    private static partial Regex EnvAssignment();
}
