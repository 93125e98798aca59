using ReverseShellFunction.Bundle;
using ReverseShellFunction.Cli;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Cli;

/// <summary>get: extracts only what verified, never outside the folder, never over existing files.</summary>
public abstract partial class AuditCommandsTest
{
    [Fact]
    public async Task Get_CleanBundle_ExtractsEveryFileVerified()
    {
        var id = await SeedAsync();
        using var target = new TempFolder();
        var folder = Path.Combine(target.Path, "out");

        var result = await RunAsync("get", id.Value, "--out", folder);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains($"Extracted 10 files of part 1 (bundle object sha256 ", result.Output, StringComparison.Ordinal);
        Assert.Contains($"to {Path.Combine(folder, "part-1")}.", result.Output, StringComparison.Ordinal);
        string[] part =
        [
            "cloud-run/service.json", "delivery.json", "logs/container.jsonl", "manifest.json", "notification.json",
            "related-findings.json", "summary.html", "summary.json", "summary.md", "timeline.jsonl",
        ];
        string[] expected = [.. ((string[])["case.json", "summary.html", "summary.json", "summary.md", "timeline.jsonl", .. part.Select(p => "part-1/" + p)]).Order(StringComparer.Ordinal)];
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, files);
        Assert.Equal("{\"name\":\"checkout-api\"}", await File.ReadAllTextAsync(Path.Combine(folder, "part-1", "cloud-run", "service.json")));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(folder, "part-1", "summary.md")), await File.ReadAllBytesAsync(Path.Combine(folder, "summary.md")));

        // The case verifies offline, and a byte changed at the top is caught like one in a part.
        var extracted = await RunAsync("verify", "--extracted", folder);
        Assert.True(extracted.ExitCode == ExitCodes.Ok, extracted.ToString());
        await File.AppendAllTextAsync(Path.Combine(folder, "timeline.jsonl"), "{}\n");
        var changed = await RunAsync("verify", "--extracted", folder);
        Assert.Equal(ExitCodes.Problem, changed.ExitCode);
        Assert.Contains("file timeline.jsonl is not what the parts give", changed.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../escaped.txt")]
    [InlineData("/tmp/absolute.txt")]
    [InlineData("logs/../../escaped.txt")]
    [InlineData("..\\escaped.txt")]
    [InlineData("logs/")]
    [InlineData("ok/./x.txt")]
    public async Task Get_ZipWithUnsafePath_RefusesAndWritesNothing(string hostileName)
    {
        var id = await SeedAsync();
        await TamperBundleAndIndexAsync(id, zip => ZipEditor.Add(zip, hostileName, "pwned"u8.ToArray()));
        using var target = new TempFolder();
        var folder = Path.Combine(target.Path, "nested", "out");

        var result = await RunAsync("get", id.Value, "--out", folder);

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.Contains($"error: bundle {id}: entry '{hostileName}' has an unsafe path", result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was kept", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(target.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Get_ZipWithSymlinkEntry_Refuses()
    {
        var id = await SeedAsync();
        await TamperBundleAndIndexAsync(id, zip => ZipEditor.Add(zip, "passwd", "/etc/passwd"u8.ToArray(), ZipEditor.SymlinkAttributes));
        using var target = new TempFolder();

        var result = await RunAsync("get", id.Value, "--out", Path.Combine(target.Path, "out"));

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.Contains($"error: bundle {id}: entry 'passwd' is a symbolic link", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(target.Path));
    }

    [Fact]
    public async Task Get_TamperedFileWithForgedIndexHash_IsDetectedWhileExtractingAndNothingIsKept()
    {
        var id = await SeedAsync();
        await TamperBundleAndIndexAsync(id, zip => ZipEditor.Replace(zip, "summary.md", text => [.. text, .. "\nall clear, nothing to see"u8.ToArray()]));
        using var target = new TempFolder();
        var folder = Path.Combine(target.Path, "out");

        var result = await RunAsync("get", id.Value, "--out", folder);

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.Contains($"error: bundle {id}: file summary.md has more than the ", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder), "the folder get created is removed again");
    }

    [Fact]
    public async Task Get_FlippedByte_RefusesBeforeExtracting()
    {
        var id = await SeedAsync();
        await TamperBundleAsync(id, bytes =>
        {
            bytes[10] ^= 0x40;
            return bytes;
        });
        using var target = new TempFolder();
        var folder = Path.Combine(target.Path, "out");

        var result = await RunAsync("get", id.Value, "--out", folder);

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.Contains($"error: bundle {id}: the bundle's bytes hash to ", result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was kept", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Get_ExistingEmptyFolder_IsUsedAndLeftEmptyOnMismatch()
    {
        var id = await SeedAsync();
        await TamperBundleAndIndexAsync(id, zip => ZipEditor.Replace(zip, "notification.json", bytes =>
        {
            bytes[5] ^= 0x20;
            return bytes;
        }));
        using var target = new TempFolder();

        var result = await RunAsync("get", id.Value, "--out", target.Path);

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.Contains($"error: bundle {id}: file notification.json hashes to ", result.Error, StringComparison.Ordinal);
        Assert.True(Directory.Exists(target.Path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(target.Path));
    }

    [Fact]
    public async Task Get_NonEmptyFolder_IsRefusedUntouched()
    {
        var id = await SeedAsync();
        using var target = new TempFolder();
        var existing = Path.Combine(target.Path, "keep.txt");
        await File.WriteAllTextAsync(existing, "mine");

        var result = await RunAsync("get", id.Value, "--out", target.Path);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("exists and is not an empty folder", result.Error, StringComparison.Ordinal);
        Assert.Equal(["keep.txt"], Directory.EnumerateFileSystemEntries(target.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Get_UnknownBundle_ExitsOne()
    {
        using var target = new TempFolder();

        var result = await RunAsync("get", "20261128T211407482Z-nothere-0123456789abcdef", "--out", Path.Combine(target.Path, "out"));

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.StartsWith($"error: not found: bundle 20261128T211407482Z-nothere-0123456789abcdef is not in {Store.Store.Location}: no index entry ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("verify", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(target.Path, "out")));
    }

    [Fact]
    public async Task Get_ByFindingIdOrShortId_ExtractsThatBundle()
    {
        var id = await SeedAsync();
        using var target = new TempFolder();

        var byFinding = await RunAsync("get", "5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b", "--out", Path.Combine(target.Path, "a"));
        var byShort = await RunAsync("get", id.Value[^12..], "--out", Path.Combine(target.Path, "b"));

        Assert.True(byFinding.ExitCode == ExitCodes.Ok, byFinding.ToString());
        Assert.True(byShort.ExitCode == ExitCodes.Ok, byShort.ToString());
        Assert.Contains($"Verified as verify {id} does", byFinding.Output, StringComparison.Ordinal);
        Assert.Contains($"Verified as verify {id} does", byShort.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_LargeBundle_ShowsProgressOnStandardError()
    {
        // Random bytes do not compress, so the bundle itself is over the 10 MiB progress threshold.
        var log = new byte[11 * 1024 * 1024];
        new Random(42).NextBytes(log);
        var id = await SeedAsync(collectors: FakeCollector.StandardSet(log));
        using var target = new TempFolder();

        var result = await RunAsync("get", id.Value, "--out", Path.Combine(target.Path, "out"));

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("downloading: 100% (11.0 of 11.0 MiB)", result.Error, StringComparison.Ordinal);
        Assert.Contains("extracting: 100%", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("downloading", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ManifestOnly_DamagedIndexEntry_ExtractsWhatMatchesTheManifest_AndSaysSo()
    {
        var id = await SeedAsync();
        await Store.PutRawAsync(BundleLayout.IndexObject(id), "{\"summary\": null"u8.ToArray(), CancellationToken.None);
        using var target = new TempFolder();
        var folder = Path.Combine(target.Path, "out");

        var plain = await RunAsync("get", id.Value, "--out", Path.Combine(target.Path, "plain"));
        var result = await RunAsync("get", id.Value, "--manifest-only", "--out", folder);

        Assert.Equal(ExitCodes.Problem, plain.ExitCode);
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("Checked against its own manifest.json only (--manifest-only)", result.Output, StringComparison.Ordinal);
        Assert.Contains(Store.KeepsMetadata ? "matches its object metadata" : "the store keeps no object metadata", result.Output, StringComparison.Ordinal);
        Assert.Contains("Its seal (signature, timestamp), if it has one, was not checked here: run verify --extracted ", result.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "summary.md")));
        Assert.True(File.Exists(Path.Combine(folder, "manifest.json")));
    }

    [Fact]
    public async Task Get_ManifestOnly_FileChangedInTheZip_KeepsNothing()
    {
        var id = await SeedAsync();
        await Store.DeleteAsync(BundleLayout.IndexObject(id), CancellationToken.None);
        await TamperBundleAsync(id, bytes => ZipEditor.Replace(bytes, "summary.md", _ => "# nothing to see\n"u8.ToArray()));
        using var target = new TempFolder();
        var folder = Path.Combine(target.Path, "out");

        var result = await RunAsync("get", id.Value, "--manifest-only", "--out", folder);

        Assert.Equal(ExitCodes.Problem, result.ExitCode);
        Assert.Contains("did not match its own manifest: nothing was kept", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }
}
