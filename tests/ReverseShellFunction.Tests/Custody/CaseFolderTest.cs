using System.Text.Json;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Custody;

/// <summary>
/// Issue 23, "get is verify plus a case folder": get of an untouched signed bundle of two and three parts gives
/// part-1/ … part-N/, case.json, the newest part's summary and one merged timeline; verify --extracted passes it with
/// the key and requiring signatures, and fails on a change to any byte of any file; a failed get keeps nothing.
/// </summary>
public sealed class CaseFolderTest
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Get_of_an_untouched_signed_bundle_verifies_offline_and_any_changed_byte_fails(int parts)
    {
        await using var store = await SignedParts.CreateAsync(parts);
        var folder = Path.Combine(Path.GetDirectoryName(store.Root)!, "case");
        var get = await SignedParts.CliAsync("get", store.Id.Value, "--dir", store.Root, "--out", folder, "--public-key", store.PublicKey, "--require-signature");
        Assert.True(get.ExitCode == 0, get.ToString());

        var top = Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal([.. ((string[])["case.json", "summary.html", "summary.json", "summary.md", "timeline.jsonl", .. Enumerable.Range(1, parts).Select(CaseFolder.PartFolder)]).Order(StringComparer.Ordinal)], top);
        var summary = EvidenceJson.Deserialize<EvidenceSummary>(await File.ReadAllBytesAsync(Path.Combine(folder, "summary.json")));
        Assert.Equal(Completeness.Complete, summary.Completion!.State);
        Assert.Equal(parts, summary.Completion.Part);
        using (var caseJson = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(folder, "case.json"))))
        {
            Assert.Equal(store.Id.Value, caseJson.RootElement.GetProperty("bundleId").GetString());
            Assert.Equal("complete", caseJson.RootElement.GetProperty("state").GetString());
            var listed = caseJson.RootElement.GetProperty("parts").EnumerateArray().ToList();
            Assert.Equal(parts, listed.Count);
            Assert.All(listed, p => Assert.Equal(store.KeyId, p.GetProperty("seal").GetProperty("keyId").GetString()));
            var index = EvidenceJson.Deserialize<IndexEntry>(await File.ReadAllBytesAsync(Path.Combine(store.Root, BundleLayout.IndexObject(store.Id))));
            Assert.Equal(index.Bundle.Sha256, listed[0].GetProperty("bundleSha256").GetString());
        }

        // The merged timeline holds every part's lines, in time order.
        var merged = await File.ReadAllLinesAsync(Path.Combine(folder, "timeline.jsonl"));
        var all = Enumerable.Range(1, parts).SelectMany(p => File.ReadAllLines(Path.Combine(folder, CaseFolder.PartFolder(p), "timeline.jsonl"))).ToList();
        Assert.Equal(all.Order(StringComparer.Ordinal), merged.Order(StringComparer.Ordinal));
        var times = merged.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("datetime").GetDateTimeOffset()).ToList();
        Assert.Equal(times.Order(), times);

        string[] trusted = ["verify", "--extracted", folder, "--public-key", store.PublicKey, "--require-signature"];
        var verify = await SignedParts.CliAsync(trusted);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Equal(parts, verify.Output.Split('\n').Count(l => l.StartsWith("ok      " + store.Id.Value, StringComparison.Ordinal)));

        // One changed byte anywhere in the case: at the start, middle and end of every file.
        var changes = 0;
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var original = await File.ReadAllBytesAsync(path);
            foreach (var at in new[] { 0, original.Length / 2, original.Length - 2 }.Where(i => i >= 0 && i < original.Length).Distinct())
            {
                var changed = (byte[])original.Clone();
                changed[at] ^= 0x01;
                await File.WriteAllBytesAsync(path, changed);
                var result = await SignedParts.CliAsync(trusted);
                Assert.True(result.ExitCode == 1, $"byte {at} of {Path.GetRelativePath(folder, path)}: {result}");
                changes++;
            }

            await File.WriteAllBytesAsync(path, original);
        }

        Assert.True(changes > 30 * parts, $"only {changes} changes tried");
        Assert.Equal(0, (await SignedParts.CliAsync(trusted)).ExitCode);

        // A file added at the top, or a part taken away, is not what get made.
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "mine");
        Assert.Contains("file notes.txt is in the case but no part gives it", (await SignedParts.CliAsync(trusted)).Output, StringComparison.Ordinal);
        File.Delete(Path.Combine(folder, "notes.txt"));
        Directory.Delete(Path.Combine(folder, CaseFolder.PartFolder(parts)), recursive: true);
        Assert.Equal(1, (await SignedParts.CliAsync(trusted)).ExitCode);
    }

    [Fact]
    public async Task A_get_whose_chain_fails_after_extracting_keeps_nothing()
    {
        await using var store = await SignedParts.CreateAsync(parts: 2);

        // Part 2's index entry names another SHA-256 for part 1: the chain check runs after part 1 was extracted.
        var index = Path.Combine(store.Root, BundleLayout.IndexObject(store.Newest));
        File.SetAttributes(index, FileAttributes.Normal);
        var entry = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllBytesAsync(index))!;
        entry["previousPart"]!["sha256"] = new string('0', 64);
        await File.WriteAllBytesAsync(index, EvidenceJson.Serialize(entry));

        var folder = Path.Combine(Path.GetDirectoryName(store.Root)!, "case");
        var get = await SignedParts.CliAsync("get", store.Id.Value, "--dir", store.Root, "--out", folder, "--public-key", store.PublicKey);
        Assert.Equal(1, get.ExitCode);
        Assert.Contains($"bundle {store.Newest.ObjectStem}: part 2 records part 1's SHA-256 as 0000", get.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder), "get left the folder behind");

        using var existing = new TempFolder();
        var again = await SignedParts.CliAsync("get", store.Id.Value, "--dir", store.Root, "--out", existing.Path, "--public-key", store.PublicKey);
        Assert.Equal(1, again.ExitCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(existing.Path));
    }

    [Fact]
    public async Task An_extracted_manifest_with_null_files_is_a_clean_problem()
    {
        await using var store = await SignedParts.CreateAsync(parts: 2);
        var folder = Path.Combine(Path.GetDirectoryName(store.Root)!, "case");
        Assert.Equal(0, (await SignedParts.CliAsync("get", store.Id.Value, "--dir", store.Root, "--out", folder, "--public-key", store.PublicKey)).ExitCode);
        var manifest = Path.Combine(folder, "part-2", "manifest.json");
        var node = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllBytesAsync(manifest))!;
        node["files"] = null;
        await File.WriteAllBytesAsync(manifest, EvidenceJson.Serialize(node));
        foreach (var target in new[] { folder, Path.Combine(folder, "part-2") })
        {
            var verify = await SignedParts.CliAsync("verify", "--extracted", target, "--public-key", store.PublicKey);
            Assert.True(verify.ExitCode == 1, verify.ToString());
            Assert.Contains("manifest.json has no list of files", verify.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Verify_by_id_reports_pending_past_give_up_like_all()
    {
        await using var store = await SignedParts.CreateAsync(parts: 2);

        // The bundle as it stood before part 2: part 1 pending, its give-up time long past (the fake clock's November).
        foreach (var name in new[] { BundleLayout.BundleObject(store.Newest), BundleLayout.IndexObject(store.Newest) })
        {
            File.SetAttributes(Path.Combine(store.Root, name), FileAttributes.Normal);
            File.Delete(Path.Combine(store.Root, name));
        }

        foreach (string[] how in (string[][])[[store.Id.Value], ["--all"]])
        {
            var verify = await SignedParts.CliAsync(["verify", .. how, "--dir", store.Root, "--json", "--public-key", store.PublicKey]);
            Assert.True(verify.ExitCode == 1, verify.ToString());
            var kinds = verify.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .SelectMany(l => JsonDocument.Parse(l).RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("kind").GetString()))
                .ToList();
            Assert.Equal(["pending-past-give-up"], kinds);
        }

        var folder = Path.Combine(Path.GetDirectoryName(store.Root)!, "case");
        Assert.Equal(1, (await SignedParts.CliAsync("get", store.Id.Value, "--dir", store.Root, "--out", folder, "--public-key", store.PublicKey)).ExitCode);
        Assert.False(Directory.Exists(folder));
    }
}
