using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>
/// list, show, get and verify over a store seeded with hostile objects: null members, wrong types, far dates,
/// invalid UTF-8, truncated zips, stray files. None may crash (exit 70), none may call it a usage error (2);
/// each object is reported and the audit goes on to the next.
/// </summary>
public abstract partial class AuditCommandsTest
{
    private static readonly SampleEvent s_third = new() { FindingId = "3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c", EventTime = new DateTimeOffset(2026, 11, 26, 8, 0, 0, 1, TimeSpan.Zero) };

    public static TheoryData<string, string?> NullIndexMembers => new()
    {
        { "summary", null },
        { "bundle", null },
        { "summary.finding", null },
        { "summary.collectors", null },
        { "summary.processes", "[null]" },
        { "summary.collectors", "[null]" },
        { "summary.bundleId", "7" },
        { "summary.finding.name", "{\"not\":\"a string\"}" },
    };

    [Theory]
    [MemberData(nameof(NullIndexMembers))]
    public async Task IndexEntryWithNullOrWrongMember_EveryCommandReportsIt_NoneCrashes(string member, string? json)
    {
        var hostile = await SeedAsync();
        var good = await SeedAsync(s_second);
        await Store.TamperAsync(BundleLayout.IndexObject(hostile), bytes => EditJson(bytes, root => Set(root, member, json)), CancellationToken.None);
        using var target = new TempFolder();

        var list = await RunAsync("list");
        var show = await RunAsync("show", hostile.Value);
        var get = await RunAsync("get", hostile.Value, "--out", Path.Combine(target.Path, "out"));
        var verify = await RunAsync("verify", "--all", "--json");

        Assert.True(list.ExitCode == ExitCodes.Problem, list.ToString());
        Assert.Contains($"warning: index entry {BundleLayout.IndexObject(hostile)} is unreadable", list.Error, StringComparison.Ordinal);
        Assert.Contains(good.Value[^12..], list.Output, StringComparison.Ordinal); // list prints the short id
        Assert.True(show.ExitCode == ExitCodes.Problem, show.ToString());
        Assert.True(get.ExitCode == ExitCodes.Problem, get.ToString());
        Assert.Empty(Directory.EnumerateFileSystemEntries(target.Path));
        Assert.True(verify.ExitCode == ExitCodes.Problem, verify.ToString());
        var results = JsonLines(verify.Output);
        Assert.Equal(2, results.Count);
        Assert.Contains("index-entry-unreadable", ProblemKinds(results.Single(r => Field(r, "bundleId") == hostile.Value)));
        Assert.True(results.Single(r => Field(r, "bundleId") == good.Value).GetProperty("verified").GetBoolean());
    }

    public static TheoryData<string, string?> NullManifestMembers => new()
    {
        { "files", null },
        { "files", "[null]" },
        { "collectors", null },
        { "collectors", "[null]" },
        { "tool", null },
        { "files", "\"not a list\"" },
    };

    [Theory]
    [MemberData(nameof(NullManifestMembers))]
    public async Task ManifestWithNullOrWrongMember_IsReported_NotACrash(string member, string? json)
    {
        var id = await SeedAsync();
        await TamperBundleAndIndexAsync(id, zip => ZipEditor.Replace(zip, BundleLayout.Entries.Manifest, bytes => EditJson(bytes, root => Set(root, member, json))));
        using var target = new TempFolder();

        var verify = await RunAsync("verify", id.Value, "--json");
        var get = await RunAsync("get", id.Value, "--out", Path.Combine(target.Path, "out"));

        Assert.True(verify.ExitCode == ExitCodes.Problem, verify.ToString());
        Assert.Contains("manifest-unreadable", ProblemKinds(JsonLines(verify.Output)[0]));
        Assert.True(get.ExitCode == ExitCodes.Problem, get.ToString());
        Assert.Empty(Directory.EnumerateFileSystemEntries(target.Path));
    }

    [Fact]
    public async Task IndexEntryWithInvalidUtf8_IsAProblem_NotAUsageError()
    {
        var id = await SeedAsync();
        await Store.TamperAsync(
            BundleLayout.IndexObject(id),
            bytes => [.. Encoding.UTF8.GetString(bytes).Replace("\"Reverse Shell\"", "\"Reverse \u0001\"", StringComparison.Ordinal).Select(c => c == '\u0001' ? (byte)0xff : (byte)c)],
            CancellationToken.None);

        var verify = await RunAsync("verify", "--all");
        var list = await RunAsync("list");
        var show = await RunAsync("show", id.Value);

        Assert.True(verify.ExitCode == ExitCodes.Problem, verify.ToString());
        Assert.Contains($"FAILED  {id}", verify.Output, StringComparison.Ordinal);
        Assert.True(list.ExitCode == ExitCodes.Problem, list.ToString());
        Assert.True(show.ExitCode == ExitCodes.Problem, show.ToString());
    }

    [Fact]
    public async Task ThreeBundles_FlippedCentralDirectory_MissingIndex_Good_AllThreeReported()
    {
        var flipped = await SeedAsync();
        var unindexed = await SeedAsync(s_second);
        var good = await SeedAsync(s_third);
        await TamperBundleAsync(flipped, bytes =>
        {
            bytes[ZipEditor.CentralDirectoryOffset(bytes) + 10] ^= 0xff;
            return bytes;
        });
        await Store.DeleteAsync(BundleLayout.IndexObject(unindexed), CancellationToken.None);

        var text = await RunAsync("verify", "--all");
        var json = await RunAsync("verify", "--all", "--json");

        Assert.True(text.ExitCode == ExitCodes.Problem, text.ToString());
        Assert.Contains($"FAILED  {flipped}", text.Output, StringComparison.Ordinal);
        Assert.Contains($"FAILED  {unindexed}", text.Output, StringComparison.Ordinal);
        Assert.Contains($"ok      {good}", text.Output, StringComparison.Ordinal);
        Assert.Contains("2 of 3 failed verification", text.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Problem, json.ExitCode);
        Assert.Equal(3, JsonLines(json.Output).Count);
    }

    [Fact]
    public async Task FarFutureEventTimeObject_ListAndVerifyAndRangesStillWork()
    {
        var good = await SeedAsync();
        var far = BundleId.Parse("99991231T235959999Z-far-0123456789abcdef");
        await Store.PutRawAsync(BundleLayout.BundleObject(far), await Store.ReadRawAsync(BundleLayout.BundleObject(good), CancellationToken.None), CancellationToken.None);
        await Store.PutRawAsync(BundleLayout.IndexObject(far), await Store.ReadRawAsync(BundleLayout.IndexObject(good), CancellationToken.None), CancellationToken.None);

        var list = await RunAsync("list");
        var since = await RunAsync("list", "--since", "2026-01-01", "--until", "9999-12-31");
        var verify = await RunAsync("verify", "--all");
        var range = await RunAsync("verify", "--since", "7d");

        Assert.Contains(good.Value[^12..], list.Output, StringComparison.Ordinal); // list prints the short id
        Assert.True(since.ExitCode == ExitCodes.Ok, since.ToString());
        Assert.Contains("2 bundle(s)", since.Error, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == ExitCodes.Problem, verify.ToString());
        Assert.Contains($"ok      {good}", verify.Output, StringComparison.Ordinal);
        Assert.Contains($"FAILED  {far}", verify.Output, StringComparison.Ordinal);
        Assert.NotEqual(ExitCodes.InternalError, range.ExitCode);
    }

    [Fact]
    public async Task Get_IndexEntryDisagreesWithManifest_KeepsNothing_AsVerifyFailsIt()
    {
        var id = await SeedAsync();
        await Store.TamperAsync(BundleLayout.IndexObject(id), bytes => EditJson(bytes, root => root["summary"]!["finding"]!["severity"] = "LOW"), CancellationToken.None);
        using var target = new TempFolder();

        var verify = await RunAsync("verify", id.Value);
        var get = await RunAsync("get", id.Value, "--out", Path.Combine(target.Path, "out"));

        Assert.Equal(ExitCodes.Problem, verify.ExitCode);
        Assert.True(get.ExitCode == ExitCodes.Problem, get.ToString());
        Assert.Contains("the index entry's summary differs from summary.json", get.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Verified", get.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(target.Path));
    }

    [Fact]
    public async Task ZipBomb_HonestlyDeclared_IsRefusedUnread()
    {
        var id = await SeedAsync();
        var zeros = new byte[64 * 1024 * 1024];
        await TamperBundleAndIndexAsync(id, zip =>
        {
            var withBomb = ZipEditor.Add(zip, "logs/bomb.jsonl", zeros);
            return ZipEditor.Replace(withBomb, BundleLayout.Entries.Manifest, bytes => EditJson(bytes, root => root["files"]!.AsArray().Add(new JsonObject
            {
                ["path"] = "logs/bomb.jsonl",
                ["size"] = zeros.Length,
                ["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(zeros)),
            })));
        });
        using var target = new TempFolder();

        var verify = await RunAsync("verify", id.Value, "--json");
        var get = await RunAsync("get", id.Value, "--out", Path.Combine(target.Path, "out"));

        Assert.Contains("entry-too-large", ProblemKinds(JsonLines(verify.Output)[0]));
        Assert.Equal(ExitCodes.Problem, get.ExitCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(target.Path));
    }

    [Fact]
    public async Task TruncatedZipAndStrayObjects_AreEachReported()
    {
        var truncated = await SeedAsync();
        var good = await SeedAsync(s_second);
        await TamperBundleAndIndexAsync(truncated, zip => zip[..(zip.Length / 2)]);
        await Store.PutRawAsync("bundles/2026/11/28/notes.txt", "x"u8.ToArray(), CancellationToken.None);
        await Store.PutRawAsync("index/2026/11/28/.tmp-999999-0011", "{"u8.ToArray(), CancellationToken.None);
        await Store.PutRawAsync("index/not-a-day/x.json", "{}"u8.ToArray(), CancellationToken.None);

        var verify = await RunAsync("verify", "--all", "--json");
        var list = await RunAsync("list");

        Assert.Equal(ExitCodes.Problem, verify.ExitCode);
        var results = JsonLines(verify.Output);
        Assert.Contains("not-a-zip", ProblemKinds(results.Single(r => Field(r, "bundleId") == truncated.Value)));
        Assert.True(results.Single(r => Field(r, "bundleId") == good.Value).GetProperty("verified").GetBoolean());
        Assert.Contains(results, r => Field(r, "objectName") == "bundles/2026/11/28/notes.txt" && ProblemKinds(r).Contains("unexpected-object"));
        Assert.Contains(results, r => Field(r, "objectName") == "index/not-a-day/x.json");
        if (!Store.KeepsMetadata)
        {
            Assert.Contains(results, r => Field(r, "objectName") == "index/2026/11/28/.tmp-999999-0011" && ProblemKinds(r).Contains("temporary-file"));
        }

        Assert.Contains(good.Value[^12..], list.Output, StringComparison.Ordinal); // list prints the short id
    }

    private static string? Field(System.Text.Json.JsonElement result, string name) =>
        result.TryGetProperty(name, out var value) ? value.GetString() : null;


    private static void Set(JsonNode root, string member, string? json)
    {
        var parts = member.Split('.');
        var parent = parts[..^1].Aggregate(root, (node, part) => node[part]!);
        parent[parts[^1]] = json is null ? null : JsonNode.Parse(json);
    }
}
