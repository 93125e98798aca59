using System.Text;
using System.Text.RegularExpressions;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Docs;

/// <summary>
/// One address per bundle name: every entry, object, part, pending, claim and seal name of the stored format is
/// spelled in <c>Bundle/BundleLayout.cs</c> and nowhere else in the product's code (comments may mention them), so a
/// rename there cannot leave a collector writing one name while the summary reads another.
/// </summary>
public sealed partial class BundleNamesTest
{
    private const string Layout = "function/ReverseShellFunction.Core/Bundle/BundleLayout.cs";

    // Delivery sits below Bundle and cannot import BundleLayout; its cut marker names the entry that keeps the
    // notification's exact bytes ("…[cut at N of M bytes; notification.json has it all]"), which HostileIntakeTest pins.
    private static readonly string[] s_allowed = ["function/ReverseShellFunction.Core/Delivery/FindingView.cs: notification.json"];

    [Fact]
    public void BundleNames_AreSpelledOnlyInTheLayoutFile()
    {
        var found = new List<string>();
        foreach (var file in ProductSources())
        {
            var relative = Path.GetRelativePath(RepositoryFiles.Root, file).Replace('\\', '/');
            if (relative == Layout)
            {
                continue;
            }

            foreach (var name in Names(WithoutComments(File.ReadAllText(file))))
            {
                var hit = $"{relative}: {name}";
                if (!s_allowed.Contains(hit, StringComparer.Ordinal))
                {
                    found.Add(hit);
                }
            }
        }

        Assert.True(found.Count == 0, "bundle names spelled outside BundleLayout.cs (use its constants):\n" + string.Join('\n', found.Distinct()));
    }

    [Fact]
    public void TheLayoutFile_SpellsTheNames()
    {
        // The check above would pass vacuously if the pattern matched nothing at all.
        var names = Names(WithoutComments(File.ReadAllText(RepositoryFiles.Path(Layout)))).ToHashSet(StringComparer.Ordinal);
        foreach (var expected in new[] { "manifest.json", "manifest.sig", "summary.json", "logs/container.jsonl", "scc/finding.json", ".part-", ".claim-", "pending/" })
        {
            Assert.Contains(names, n => n.Contains(expected, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("var f = \"logs/audit.jsonl\";", "logs/audit.jsonl")]
    [InlineData("var f = $\"{id}.part-{n}\";", ".part-")]
    [InlineData("Read(\"manifest.sig\"); // manifest.json", "manifest.sig")]
    [InlineData("var u = \"https://x\" + \"summary.html\";", "summary.html")]
    [InlineData("var s = \"\"\"\n  claims/\n  \"\"\";", "claims/")]
    public void APlantedName_IsFound(string code, string name) =>
        Assert.Equal([name], Names(WithoutComments(code)));

    [Theory]
    [InlineData("// writes logs/container.jsonl\nvar x = 1;")]
    [InlineData("/// <c>manifest.json</c>\n/* summary.json */ var y = 2;")]
    [InlineData("var schema = \"reverse-shell-evidence/index/v1\";")]
    [InlineData("var log = $\"projects/{p}/logs/cloudaudit.googleapis.com\";")]
    [InlineData("var c = '\"'; // timeline.jsonl")]
    public void CommentsSchemasAndOtherNames_AreNotFound(string code) =>
        Assert.Empty(Names(WithoutComments(code)));

    private static IEnumerable<string> ProductSources() =>
        Directory.EnumerateFiles(RepositoryFiles.Path("function"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static IEnumerable<string> Names(string code) => BundleName().Matches(code).Select(m => m.Value);

    /// <summary>The code with its comments removed; string and character literals are kept whole, so a "//" inside one is not a comment.</summary>
    internal static string WithoutComments(string text)
    {
        var code = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (Starts(text, i, "//"))
            {
                i = text.IndexOf('\n', i) is var end and >= 0 ? end : text.Length;
            }
            else if (Starts(text, i, "/*"))
            {
                i = text.IndexOf("*/", i + 2, StringComparison.Ordinal) is var end and >= 0 ? end + 2 : text.Length;
                code.Append(' ');
            }
            else if (Starts(text, i, "\"\"\""))
            {
                var quotes = 3;
                while (Starts(text, i + quotes, "\""))
                {
                    quotes++;
                }

                var fence = new string('"', quotes);
                var end = text.IndexOf(fence, i + quotes, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end + quotes;
                code.Append(text, i, end - i);
                i = end;
            }
            else if (text[i] is '"' or '\'')
            {
                var end = LiteralEnd(text, i, verbatim: i > 0 && (text[i - 1] == '@' || (i > 1 && text[i - 2] == '@' && text[i - 1] == '$')));
                code.Append(text, i, end - i);
                i = end;
            }
            else
            {
                code.Append(text[i]);
                i++;
            }
        }

        return code.ToString();
    }

    private static int LiteralEnd(string text, int start, bool verbatim)
    {
        var quote = text[start];
        var i = start + 1;
        while (i < text.Length)
        {
            if (!verbatim && text[i] == '\\')
            {
                i += 2;
            }
            else if (text[i] == quote)
            {
                if (verbatim && Starts(text, i + 1, "\""))
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }
            else if (text[i] == '\n' && !verbatim)
            {
                return i;
            }
            else
            {
                i++;
            }
        }

        return text.Length;
    }

    private static bool Starts(string text, int index, string value) =>
        index + value.Length <= text.Length && string.CompareOrdinal(text, index, value, 0, value.Length) == 0;

    /// <summary>
    /// Entry names (logs/, cloud-run/, scc/, the summary, manifest and seal files, delivery, notification, related
    /// findings, timeline chunks) and object-name pieces (.part-, .claim-, .tmp-, the store's top folders). A folder
    /// name inside a longer path (a schema id, a Cloud Logging log name) is something else.
    /// </summary>
    [GeneratedRegex(@"(?<![\w/.-])(?:logs/[\w./-]*|cloud-run/[\w./-]*|scc/[\w./-]*|bundles/|index/|pending/|claims/|quarantine/)"
        + @"|\b(?:summary\.(?:json|md|html)|manifest\.(?:json|sig|tsr|dsse\.json|seal\.json)|delivery\.json|notification\.json|related-findings\.json|timeline[^""\s]*\.jsonl)"
        + @"|\.part-|\.claim-|\.tmp-")]
    private static partial Regex BundleName();
}
