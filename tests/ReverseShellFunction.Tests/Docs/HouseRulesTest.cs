using System.Text.RegularExpressions;
using ReverseShellFunction.Tests.Support;
using Xunit.Abstractions;

namespace ReverseShellFunction.Tests.Docs;

/// <summary>
/// The layout rules of the product's two projects, checked from their sources: each folder is its namespace, no folder
/// name is used by both projects, Core holds the domain and its ports only (no HttpClient, no P/Invoke, no store
/// implementation), and Core's folders import each other without a cycle. Run it alone with
/// <c>dotnet test tests/ReverseShellFunction.Tests --filter FullyQualifiedName~HouseRulesTest</c>; a failure prints
/// the folder graph.
/// </summary>
public sealed partial class HouseRulesTest(ITestOutputHelper output)
{
    private const string Core = "function/ReverseShellFunction.Core";
    private const string App = "function/ReverseShellFunction";

    [Fact]
    public void EveryProductFile_DeclaresTheNamespaceOfItsFolder()
    {
        var wrong = new List<string>();
        foreach (var project in new[] { Core, App })
        {
            foreach (var (relative, text) in Sources(project))
            {
                var folder = Path.GetDirectoryName(relative)!.Replace('/', '.');
                var expected = folder.Length == 0 ? "ReverseShellFunction" : $"ReverseShellFunction.{folder}";
                var declared = NamespaceLine().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

                // Service-registration extensions live in Microsoft's namespaces by .NET convention; Program.cs has none.
                if (declared is null || declared.StartsWith("Microsoft.", StringComparison.Ordinal))
                {
                    continue;
                }

                if (declared != expected)
                {
                    wrong.Add($"{project}/{relative}: namespace {declared}, folder says {expected}");
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    [Fact]
    public void NoFolderName_IsUsedByBothProjects()
    {
        var core = Folders(Core);
        var app = Folders(App);
        var shared = core.Intersect(app).Order(StringComparer.Ordinal).ToList();
        Assert.True(shared.Count == 0, $"folders in both projects: {string.Join(", ", shared)}");
    }

    [Fact]
    public void Core_HasNoHttpClient_NoPInvoke_NoStoreImplementation()
    {
        var found = new List<string>();
        foreach (var (relative, text) in Sources(Core))
        {
            var code = BundleNamesTest.WithoutComments(text);
            foreach (var banned in new[] { "HttpClient", "System.Net.Http", "LibraryImport", "DllImport", "AllowUnsafeBlocks" })
            {
                if (code.Contains(banned, StringComparison.Ordinal))
                {
                    found.Add($"{relative}: {banned}");
                }
            }

            if (StoreImplementation().IsMatch(code))
            {
                found.Add($"{relative}: implements a store port (stores belong in the app's Infrastructure)");
            }
        }

        Assert.True(found.Count == 0, string.Join('\n', found));
    }

    [Fact]
    public void CoreFolders_ImportEachOtherWithoutACycle()
    {
        var graph = FolderGraph(Core);
        foreach (var (from, to) in graph.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{from} -> {string.Join(", ", to.Order(StringComparer.Ordinal))}");
        }

        var cycles = Cycles(graph);
        Assert.True(cycles.Count == 0, "folder-level import cycles in Core: " + string.Join("; ", cycles.Select(c => string.Join(" <-> ", c))));
    }

    [Fact]
    public void ArchitectureDoc_ListsExactlyTheFoldersThereAre()
    {
        var doc = File.ReadAllText(RepositoryFiles.Path("docs", "architecture.md"));
        foreach (var (heading, project) in new[] { ("## Core", Core), ("## App", App) })
        {
            var start = doc.IndexOf(heading + "\n", StringComparison.Ordinal);
            Assert.True(start >= 0, $"docs/architecture.md has no {heading} section");
            var end = doc.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
            var section = end < 0 ? doc[start..] : doc[start..end];
            var listed = TableFolder().Matches(section).Select(m => m.Groups[1].Value.TrimEnd('/')).ToHashSet(StringComparer.Ordinal);
            var actual = Sources(project).Select(s => Path.GetDirectoryName(s.Relative)!.Replace('\\', '/'))
                .Where(folder => folder.Length > 0).ToHashSet(StringComparer.Ordinal);

            Assert.True(
                listed.SetEquals(actual),
                $"{heading}: listed but absent: {string.Join(", ", listed.Except(actual))}; present but not listed: {string.Join(", ", actual.Except(listed))}");
        }
    }

    /// <summary>Folder → the folders its files import (a using directive or a fully qualified name; comments included, since a cref is an import too).</summary>
    private static Dictionary<string, HashSet<string>> FolderGraph(string project)
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var folders = Folders(project);
        foreach (var (relative, text) in Sources(project))
        {
            var from = TopFolder(relative);
            if (from is null)
            {
                continue;
            }

            var targets = graph.TryGetValue(from, out var set) ? set : graph[from] = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match m in NamespaceMention().Matches(text))
            {
                var to = m.Groups[1].Value;
                if (to != from && folders.Contains(to))
                {
                    targets.Add(to);
                }
            }
        }

        return graph;
    }

    private static List<List<string>> Cycles(Dictionary<string, HashSet<string>> graph)
    {
        // Tarjan's strongly connected components: any component of two or more folders is a cycle.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();
        var next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.GetValueOrDefault(v) ?? [])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w) && index.TryGetValue(w, out var seen))
                {
                    low[v] = Math.Min(low[v], seen);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);

                if (component.Count > 1)
                {
                    components.Add([.. component.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (var v in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return components;
    }

    private static string? TopFolder(string relative) => relative.Contains('/', StringComparison.Ordinal) ? relative[..relative.IndexOf('/', StringComparison.Ordinal)] : null;

    private static HashSet<string> Folders(string project) =>
        Sources(project).Select(s => TopFolder(s.Relative)).OfType<string>().ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<(string Relative, string Text)> Sources(string project)
    {
        var root = RepositoryFiles.Path(project);
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal))
            {
                continue;
            }

            yield return (relative, File.ReadAllText(file));
        }
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"\bReverseShellFunction\.(\w+)")]
    private static partial Regex NamespaceMention();

    [GeneratedRegex(@"(?m)^\| `([\w/]+/)` \|")]
    private static partial Regex TableFolder();

    [GeneratedRegex(@"(class|record)\s+\w+[^{;]*:\s*[^{;]*\bIEvidence(Store|Archive|Reader)\b")]
    private static partial Regex StoreImplementation();
}
