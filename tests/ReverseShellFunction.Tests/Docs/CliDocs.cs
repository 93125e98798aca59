using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Hosting;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Docs;

/// <summary>
/// docs/cli.md's real output: every command run against <see cref="DocStore"/>, what it printed put between the
/// <c>&lt;!-- cli-output NAME --&gt;</c> markers. Temporary paths are shown as /tmp/cli-ev and /tmp/case.
/// </summary>
internal sealed partial class CliDocs : IDisposable
{
    private const string StoreShown = "/tmp/cli-ev";
    private const string OutShown = "/tmp/case";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>docs/cli.md with every block replaced by what the commands print now.</summary>
    public async Task<string> RenderAsync(string markdown)
    {
        var store = Path.Combine(_temp.Path, "ev");
        var ids = await DocStore.FillAsync(store);
        var newest = ids[^1];
        var older = ids[0];

        var blocks = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["list"] = await RunAsync(store, "list"),
            ["list-80"] = await RunAsync(store, "list", "--width", "80"),
            ["list-wide"] = await RunAsync(store, "list", "--wide"),
            ["list-json"] = await RunAsync(store, "list", "--json", "--since", "2026-11-28"),
            ["show"] = await RunAsync(store, "show", newest[^IndexTable.ShortIdLength..]),
            ["show-finding"] = await RunAsync(store, "show", "9b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a", "--width", "80"),
            ["show-not-found"] = await RunAsync(store, "show", "0123456789ab"),
            ["show-bad-id"] = await RunAsync(store, "show", "../../etc/passwd"),
            ["get"] = await RunAsync(store, "get", "5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b", "--out", Path.Combine(_temp.Path, "case")),
            ["get-not-found"] = await RunAsync(store, "get", "20261128T211407482Z-nothere-0123456789abcdef"),
            ["verify"] = await RunAsync(store, "verify", "--all"),
            ["verify-short-id"] = await RunAsync(store, "verify", newest[^IndexTable.ShortIdLength..].ToUpperInvariant()),
            ["replay"] = await RunAsync(Path.Combine(_temp.Path, "replayed"), "replay", TestData.SamplePath("reverse-shell.pubsub-push.json"), TestData.SamplePath("other-category.notification.json")),
            ["replay-gcloud"] = await RunAsync(Path.Combine(_temp.Path, "listed"), "replay", TestData.SamplePath("gcloud-findings-list.json")),
            ["usage-typo"] = await RunAsync(store, "list", "--sinse", "24h"),
            ["usage-no-command"] = await RunAsync(store),
        };

        var quarantined = Path.Combine(_temp.Path, "quarantined");
        var record = await QuarantineAsync(quarantined);
        blocks["quarantine-list"] = await RunAsync(quarantined, "quarantine", "list");
        blocks["quarantine-show"] = await RunAsync(quarantined, "quarantine", "show", BundleLayout.QuarantineId(record));

        // The older bundle loses its index entry: what verify says then.
        Assert.True(ReverseShellFunction.Bundle.BundleId.TryParse(older, out var olderId));
        var entry = Path.Combine(store, BundleLayout.IndexObject(olderId));
        File.SetAttributes(entry, FileAttributes.Normal);
        File.Delete(entry);
        blocks["verify-missing"] = await RunAsync(store, "verify", "--all");
        blocks["get-missing-entry"] = await RunAsync(store, "get", older, "--out", Path.Combine(_temp.Path, "case2"));
        blocks["get-manifest-only"] = await RunAsync(store, "get", older, "--manifest-only", "--out", Path.Combine(_temp.Path, "case3"));
        return Replace(markdown, blocks);
    }

    /// <summary>
    /// A push whose data is not base64, through the real pipeline at a fixed time, its record then kept under a
    /// fixed nonce (the writer draws a random one) so the page does not change from run to run.
    /// </summary>
    private async Task<string> QuarantineAsync(string store)
    {
        var scratch = Path.Combine(_temp.Path, "scratch");
        var (processor, _) = Pipelines.Build(new LocalEvidenceStore(scratch));
        var raw = ReverseShellFunction.Delivery.RawDelivery.FromBytes(
            new Dictionary<string, string> { ["content-type"] = "application/json", ["user-agent"] = "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)", ["authorization"] = "Bearer …" },
            "{\"message\":{\"data\":\"not base64!\",\"messageId\":\"17284630561234\",\"publishTime\":\"2026-11-28T21:14:09.204Z\"},\"subscription\":\"projects/shop-sec-0193/subscriptions/reverse-shell-evidence\"}"u8.ToArray(),
            new DateTimeOffset(2026, 11, 28, 21, 14, 9, 611, TimeSpan.Zero),
            ReverseShellFunction.Delivery.DeliverySource.Http);
        var result = await processor.ProcessAsync(raw, CancellationToken.None);
        var name = BundleLayout.QuarantineObject(raw.ReceivedAt, raw.BodySha256, "5e1d0c2b3a495867");
        var kept = await File.ReadAllBytesAsync(Path.Combine(scratch, result.ObjectName!.Replace('/', Path.DirectorySeparatorChar)));
        Assert.Equal(ReverseShellFunction.Store.CreateResult.Created, await new LocalEvidenceStore(store).CreateQuarantineAsync(name, kept, CancellationToken.None));
        return name;
    }

    private async Task<string> RunAsync(string store, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        var root = CommandLineApp.Create(HostEnvironment.Isolated(_ => null), "rsf");
        var exitCode = await CommandLineApp.InvokeAsync(root, [.. args, "--dir", store], configuration, CancellationToken.None);
        var shown = string.Join(" ", args.Select(Shown).Select(Quote));
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"$ rsf {shown}{(shown.Length == 0 ? "" : " ")}--dir {StoreShown}\n")
            .Append(Shown(output.ToString()))
            .Append(Shown(error.ToString()));
        if (exitCode != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"$ echo $?\n{exitCode}\n");
        }

        return text.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private string Shown(string text) => text
        .Replace(Path.Combine(_temp.Path, "case2"), OutShown + "2", StringComparison.Ordinal)
        .Replace(Path.Combine(_temp.Path, "case3"), OutShown + "3", StringComparison.Ordinal)
        .Replace(Path.Combine(_temp.Path, "case"), OutShown, StringComparison.Ordinal)
        .Replace(Path.Combine(_temp.Path, "ev"), StoreShown, StringComparison.Ordinal)
        .Replace(Path.Combine(_temp.Path, "replayed"), StoreShown, StringComparison.Ordinal)
        .Replace(Path.Combine(_temp.Path, "listed"), StoreShown, StringComparison.Ordinal)
        .Replace(Path.Combine(_temp.Path, "quarantined"), StoreShown, StringComparison.Ordinal)
        .Replace(TestData.SamplePath(""), "samples/", StringComparison.Ordinal);

    private static string Quote(string arg) => arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "@%+=:,./_-".Contains(c, StringComparison.Ordinal)) ? arg : $"'{arg}'";

    private static string Replace(string markdown, Dictionary<string, string> blocks)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = Block().Replace(markdown, match =>
        {
            var name = match.Groups["name"].Value;
            if (!blocks.TryGetValue(name, out var text))
            {
                throw new InvalidOperationException($"docs/cli.md has a block '{name}' the generator does not produce");
            }

            seen.Add(name);
            return $"<!-- cli-output {name} -->\n```\n{text}```\n<!-- /cli-output -->";
        });
        var missing = blocks.Keys.Except(seen).ToList();
        return missing.Count == 0
            ? result
            : throw new InvalidOperationException($"docs/cli.md lacks the blocks {string.Join(", ", missing)}: add <!-- cli-output NAME --> markers where they belong");
    }

    [GeneratedRegex(@"<!-- cli-output (?<name>[a-z0-9-]+) -->\n```\n.*?```\n<!-- /cli-output -->", RegexOptions.Singleline)]
    private static partial Regex Block();
}
