using System.Security.Cryptography;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Infrastructure.Timestamp;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Custody;

/// <summary>
/// Issue 23, "no downgrade": the newest part of a signed two-part bundle rewritten consistently by someone who can
/// write the store (a timeline line hidden, the manifest made to match) and then left unsigned, marked unsigned, or
/// re-signed with another key. Each fails with exit 1 naming the part, with and without --public-key, through verify
/// and through get (which then keeps nothing); the untouched store passes.
/// </summary>
public sealed class DowngradeTest
{
    public enum Downgrade
    {
        /// <summary>The seal entries removed from the zip, the index entry's seal removed.</summary>
        SealStripped,

        /// <summary>The seal entries replaced by an "unsigned" record, the index entry's seal set to the same.</summary>
        MarkedUnsigned,

        /// <summary>The zip's seal intact, only the index entry's seal removed.</summary>
        IndexSealRemoved,

        /// <summary>Sealed again, consistently, with the forger's own key.</summary>
        ResignedWithAnotherKey,
    }

    [Theory]
    [InlineData(Downgrade.SealStripped, true)]
    [InlineData(Downgrade.SealStripped, false)]
    [InlineData(Downgrade.MarkedUnsigned, true)]
    [InlineData(Downgrade.MarkedUnsigned, false)]
    [InlineData(Downgrade.IndexSealRemoved, true)]
    [InlineData(Downgrade.IndexSealRemoved, false)]
    [InlineData(Downgrade.ResignedWithAnotherKey, true)]
    [InlineData(Downgrade.ResignedWithAnotherKey, false)]
    public async Task A_downgraded_newest_part_fails_verify_and_get_naming_the_part(Downgrade downgrade, bool withKey)
    {
        await using var store = await SignedParts.CreateAsync(parts: 2);
        string[] keys = withKey ? ["--public-key", store.PublicKey] : [];

        // Untouched: with the key it passes; without, it is not a full verification (4), unless hashes only are asked for.
        var clean = await SignedParts.CliAsync(["verify", store.Id.Value, "--dir", store.Root, .. keys]);
        Assert.True(clean.ExitCode == (withKey ? 0 : 4), clean.ToString());
        if (!withKey)
        {
            var hashes = await SignedParts.CliAsync("verify", store.Id.Value, "--dir", store.Root, "--hashes-only");
            Assert.True(hashes.ExitCode == 0, hashes.ToString());
        }

        await ApplyAsync(store, downgrade);
        var part = store.Newest.ObjectStem;
        foreach (string[] how in (string[][])[[store.Id.Value], ["--all"], ["--since", "2026-11-01T00:00:00Z"]])
        {
            var verify = await SignedParts.CliAsync(["verify", .. how, "--dir", store.Root, .. keys]);
            Assert.True(verify.ExitCode == 1, $"{string.Join(' ', how)}: {verify}");
            Assert.Contains($"FAILED  {part}", verify.Output, StringComparison.Ordinal);
            Assert.Contains($"ok      {store.Id.ObjectStem}", verify.Output, StringComparison.Ordinal);
            Assert.Contains(Expected(downgrade, withKey, store), verify.Output, StringComparison.Ordinal);
        }

        var folder = Path.Combine(Path.GetDirectoryName(store.Root)!, "case");
        var get = await SignedParts.CliAsync(["get", store.Id.Value, "--dir", store.Root, "--out", folder, .. keys]);
        Assert.True(get.ExitCode == 1, get.ToString());
        Assert.Contains($"bundle {part}: ", get.Error, StringComparison.Ordinal);
        Assert.Contains(Expected(downgrade, withKey, store), get.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder), "get left the folder behind");
    }

    private static string Expected(Downgrade downgrade, bool withKey, SignedParts store) => (downgrade, withKey) switch
    {
        (Downgrade.IndexSealRemoved, _) => "the index entry's seal and manifest.seal.json disagree",
        (Downgrade.ResignedWithAnotherKey, true) => "manifest.sig does not verify",
        (Downgrade.ResignedWithAnotherKey, false) => $"a key the bundle's other parts do not use (part 1 is signed by {store.KeyId})",
        (_, true) => "the part is unsigned",
        (_, false) => $"the part is unsigned while part 1 of the same bundle is signed by {store.KeyId}",
    };

    private static async Task ApplyAsync(SignedParts store, Downgrade downgrade)
    {
        if (downgrade == Downgrade.IndexSealRemoved)
        {
            var zip = await File.ReadAllBytesAsync(Path.Combine(store.Root, BundleLayout.BundleObject(store.Newest)));
            await store.StoreAsync(zip, null, removeIndexSeal: true);
            return;
        }

        using var other = SignedParts.OtherKey();
        var (rewritten, manifest, manifestBytes) = downgrade == Downgrade.ResignedWithAnotherKey
            ? await store.HideALineAsync(m => m with { Custody = m.Custody! with { Signer = other.KeyId } })
            : await store.HideALineAsync();
        switch (downgrade)
        {
            case Downgrade.SealStripped:
                foreach (var name in BundleLayout.Entries.Seals)
                {
                    rewritten = ZipEditor.Edit(rewritten, archive => archive.GetEntry(name)?.Delete());
                }

                await store.StoreAsync(rewritten, null, removeIndexSeal: true);
                break;
            case Downgrade.MarkedUnsigned:
                var (unsigned, seal) = await SignedParts.SealAsync(rewritten, manifest, manifestBytes, signer: null, tsa: null);
                Assert.Equal("unsigned (no KMS_KEY_VERSION or SIGNING_KEY_FILE configured)", seal.SignatureStatus);
                await store.StoreAsync(unsigned, seal);
                break;
            default:
                var (resigned, otherSeal) = await SignedParts.SealAsync(rewritten, manifest, manifestBytes, other, tsa: null);
                Assert.Equal("signed", otherSeal.SignatureStatus);
                await store.StoreAsync(resigned, otherSeal);
                break;
        }
    }

    [Fact]
    public async Task A_later_token_from_the_trusted_TSA_over_a_rewritten_manifest_fails_with_and_without_keys()
    {
        await using var harness = await CustodyHarness.StartAsync();
        var result = await harness.ReplayAsync(harness.KmsEnvironment());
        var id = BundleId.Parse(result.BundleId!);
        var publicKey = harness.WriteFile("kms-public.pem", harness.Fake.Kms.PublicKeyPem());
        string[] trusted = ["--public-key", publicKey, "--tsa-cert", harness.Tsa.CaCertificatePath];
        var clean = await SignedParts.CliAsync(["verify", id.Value, "--dir", harness.EvidenceDir, .. trusted]);
        Assert.True(clean.ExitCode == 0, clean.ToString());

        // The part as it would stand had it been made an hour ago: the forger keeps its times, hides a line, drops
        // the signature it cannot make, and asks the trusted TSA for a fresh token over the rewritten manifest.
        var zip = await File.ReadAllBytesAsync(Path.Combine(harness.EvidenceDir, BundleLayout.BundleObject(id)));
        var original = EvidenceJson.Deserialize<Manifest>(System.Text.Encoding.UTF8.GetBytes(ZipEditor.Read(zip, BundleLayout.Entries.Manifest)));
        var manifest = original with
        {
            CreatedAt = original.CreatedAt.AddHours(-1),
            Custody = original.Custody! with { SealBy = original.Custody.SealBy!.Value.AddHours(-1) },
            Files = [.. original.Files.Where(f => f.Path != "summary.md")],
        };
        var manifestBytes = EvidenceJson.Serialize(manifest);
        zip = ZipEditor.Edit(ZipEditor.Replace(zip, BundleLayout.Entries.Manifest, _ => manifestBytes), archive => archive.GetEntry("summary.md")?.Delete());
        using var http = new HttpClient();
        var (forged, seal) = await SignedParts.SealAsync(zip, manifest, manifestBytes, signer: null, new Rfc3161TimestampClient(http, harness.Tsa.Url));
        Assert.Equal("ok", seal.Timestamp);
        await SignedParts.StoreAsync(harness.EvidenceDir, id, forged, seal);

        foreach (var keys in (string[][])[trusted, []])
        {
            var verify = await SignedParts.CliAsync(["verify", id.Value, "--dir", harness.EvidenceDir, .. keys]);
            Assert.True(verify.ExitCode == 1, verify.ToString());
            Assert.Contains($"FAILED  {id.ObjectStem}", verify.Output, StringComparison.Ordinal);
            Assert.Contains("is outside the sealing window the manifest states", verify.Output, StringComparison.Ordinal);

            var folder = Path.Combine(harness.TempPath, "case-" + keys.Length);
            var get = await SignedParts.CliAsync(["get", id.Value, "--dir", harness.EvidenceDir, "--out", folder, .. keys]);
            Assert.True(get.ExitCode == 1, get.ToString());
            Assert.Contains($"bundle {id.ObjectStem}: the timestamp token's time", get.Error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(folder));
        }
    }

    [Fact]
    public async Task A_token_inside_the_window_passes_and_one_before_the_manifest_was_made_fails()
    {
        await using var harness = await CustodyHarness.StartAsync();
        var result = await harness.ReplayAsync(harness.KmsEnvironment());
        var zip = await File.ReadAllBytesAsync(Path.Combine(harness.EvidenceDir, result.IndexEntry!.Bundle.ObjectName));
        var manifest = EvidenceJson.Deserialize<Manifest>(System.Text.Encoding.UTF8.GetBytes(ZipEditor.Read(zip, BundleLayout.Entries.Manifest)));
        var token = await TokenTimeAsync(zip);
        Assert.InRange(token, manifest.CreatedAt - ManifestCustody.ClockSkew, manifest.Custody!.SealBy!.Value);

        // A manifest that claims to be made after its token: the token cannot have been over it.
        var later = manifest with { CreatedAt = token.AddHours(1), Custody = manifest.Custody with { SealBy = token.AddHours(2) } };
        var bytes = EvidenceJson.Serialize(later);
        using var http = new HttpClient();
        var (forged, seal) = await SignedParts.SealAsync(ZipEditor.Replace(zip, BundleLayout.Entries.Manifest, _ => bytes), later, bytes, signer: null, new Rfc3161TimestampClient(http, harness.Tsa.Url));
        await SignedParts.StoreAsync(harness.EvidenceDir, BundleId.Parse(result.BundleId!), forged, seal);
        var verify = await SignedParts.CliAsync("verify", result.BundleId!, "--dir", harness.EvidenceDir, "--hashes-only");
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("a token obtained before the manifest was made", verify.Output, StringComparison.Ordinal);
    }

    private static async Task<DateTimeOffset> TokenTimeAsync(byte[] zip)
    {
        using var archive = new System.IO.Compression.ZipArchive(new MemoryStream(zip));
        await using var stream = archive.GetEntry(BundleLayout.Entries.Timestamp)!.Open();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.True(System.Security.Cryptography.Pkcs.Rfc3161TimestampToken.TryDecode(copy.ToArray(), out var token, out _));
        return token!.TokenInfo.Timestamp;
    }
}
