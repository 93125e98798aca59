using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Infrastructure.Signing;
using ReverseShellFunction.Report;
using ReverseShellFunction.Tests.Support;
using PipelineHarness = ReverseShellFunction.Tests.Collect.Support.PipelineHarness;

namespace ReverseShellFunction.Tests.Custody;

/// <summary>
/// A bundle of two or three parts collected through the app's own composition on one fake clock and signed with a
/// local key (SIGNING_KEY_FILE), and the rewrites someone who can write the store could make to its newest part.
/// </summary>
internal sealed class SignedParts : IAsyncDisposable
{
    private readonly TempFolder _keys;

    private SignedParts(TempFolder keys, PipelineHarness harness, BundleId id, int parts, string publicKey, string keyId)
    {
        _keys = keys;
        Harness = harness;
        Id = id;
        Parts = parts;
        PublicKey = publicKey;
        KeyId = keyId;
    }

    public PipelineHarness Harness { get; }

    public BundleId Id { get; }

    public int Parts { get; }

    public string PublicKey { get; }

    public string KeyId { get; }

    public string Root => Harness.Store.Root;

    public BundleId Newest => Id.WithPart(Parts);

    /// <summary>Two parts (related findings window 5 min) or three (60 min), complete.</summary>
    public static async Task<SignedParts> CreateAsync(int parts)
    {
        var keys = new TempFolder();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var privateKey = Path.Combine(keys.Path, "signing.pem");
        var publicKey = Path.Combine(keys.Path, "public.pem");
        await File.WriteAllTextAsync(privateKey, key.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(publicKey, key.ExportSubjectPublicKeyInfoPem());
        var start = FakeGoogleData.EventTime;
        var clock = new FakeTimeProvider(start.AddMinutes(2));
        var harness = await PipelineHarness.StartAtAsync(clock, new Dictionary<string, string>
        {
            ["SIGNING_KEY_FILE"] = privateKey,
            ["RELATED_WINDOW_MINUTES"] = parts == 2 ? "5" : "60",
        });
        var id = BundleId.Parse((await harness.ReplaySampleAsync()).BundleId!);
        clock.SetUtcNow(start.AddMinutes(9));
        await harness.Function.CompleteAsync(new CompletionRequest(id.Value, 2), CancellationToken.None);
        if (parts == 3)
        {
            clock.SetUtcNow(start.AddMinutes(63));
            await harness.Function.CompleteAsync(new CompletionRequest(id.Value, 3), CancellationToken.None);
        }

        Assert.NotNull(await harness.Store.GetBundleAsync(id.WithPart(parts), CancellationToken.None));
        Assert.Null(await harness.Store.GetBundleAsync(id.WithPart(parts + 1), CancellationToken.None));
        return new SignedParts(keys, harness, id, parts, publicKey, EcKeys.LocalKeyId(key));
    }

    public static Task<CliResult> CliAsync(params string[] args) => CustodyHarness.CliAsync(new Dictionary<string, string>(), args);

    /// <summary>The newest part's zip with a timeline line hidden and its manifest entry made to match.</summary>
    public async Task<(byte[] Zip, Manifest Manifest, byte[] ManifestBytes)> HideALineAsync(Func<Manifest, Manifest>? change = null)
    {
        var zip = await File.ReadAllBytesAsync(Path.Combine(Root, BundleLayout.BundleObject(Newest)));
        var timeline = ZipEditor.Read(zip, TimelineFile.FileName).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var hidden = System.Text.Encoding.UTF8.GetBytes(string.Join('\n', timeline[..^1]) + "\n");
        var manifest = EvidenceJson.Deserialize<Manifest>(System.Text.Encoding.UTF8.GetBytes(ZipEditor.Read(zip, Manifest.FileName)));
        manifest = manifest with
        {
            Files = [.. manifest.Files.Select(f => f.Path == TimelineFile.FileName ? f with { Size = hidden.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(hidden)) } : f)],
        };
        manifest = change?.Invoke(manifest) ?? manifest;
        var manifestBytes = EvidenceJson.Serialize(manifest);
        zip = ZipEditor.Replace(zip, TimelineFile.FileName, _ => hidden);
        zip = ZipEditor.Replace(zip, Manifest.FileName, _ => manifestBytes);
        return (zip, manifest, manifestBytes);
    }

    /// <summary>Seals the rewritten manifest as the forger can: with another key, and/or a fresh token, or not at all.</summary>
    public static async Task<(byte[] Zip, SealRecord Seal)> SealAsync(byte[] zip, Manifest manifest, byte[] manifestBytes, IManifestSigner? signer, ITimestampAuthority? tsa)
    {
        foreach (var name in SealFiles.All)
        {
            zip = ZipEditor.Edit(zip, archive => archive.GetEntry(name)?.Delete());
        }

        using var staging = new StagingDirectory();
        var sealer = new ManifestSealer(signer, tsa, new LocalStorageProtection(staging.Root), NullLogger<ManifestSealer>.Instance);
        var seal = await sealer.SealAsync(staging, manifest, manifestBytes, CancellationToken.None);
        foreach (var name in staging.Files.Where(SealFiles.IsSealFile))
        {
            zip = ZipEditor.Add(zip, name, await File.ReadAllBytesAsync(staging.PathOf(name)));
        }

        return (zip, seal);
    }

    /// <summary>Stores the rewritten zip as the newest part, its index entry's hash, size and seal made to match.</summary>
    public Task StoreAsync(byte[] zip, SealRecord? seal, bool removeIndexSeal = false) => StoreAsync(Root, Newest, zip, seal, removeIndexSeal);

    public static async Task StoreAsync(string root, BundleId part, byte[] zip, SealRecord? seal, bool removeIndexSeal = false)
    {
        var bundle = Path.Combine(root, BundleLayout.BundleObject(part));
        var index = Path.Combine(root, BundleLayout.IndexObject(part));
        File.SetAttributes(bundle, FileAttributes.Normal);
        File.SetAttributes(index, FileAttributes.Normal);
        await File.WriteAllBytesAsync(bundle, zip);
        var entry = JsonNode.Parse(await File.ReadAllBytesAsync(index))!;
        entry["bundle"]!["sha256"] = Convert.ToHexStringLower(SHA256.HashData(zip));
        entry["bundle"]!["size"] = zip.Length;
        if (removeIndexSeal || seal is null)
        {
            entry.AsObject().Remove("seal");
        }
        else
        {
            entry["seal"] = JsonNode.Parse(EvidenceJson.Serialize(seal));
        }

        await File.WriteAllBytesAsync(index, EvidenceJson.Serialize(entry));
    }

    /// <summary>A second P-256 key, the forger's own.</summary>
    public static PemManifestSigner OtherKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return PemManifestSigner.FromPem(key.ExportPkcs8PrivateKeyPem(), "the forger's key");
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        _keys.Dispose();
    }
}
