using ReverseShellFunction.Bundle;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Fakes.Storage;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Custody;

/// <summary>Sealing into a bucket: the bucket's protection as read at sealing is in the signed manifest, and verify checks the seal there too.</summary>
public sealed class BucketCustodyTest
{
    private const string Bucket = "custody-evidence";

    [Fact]
    public async Task A_part_sealed_into_a_bucket_records_the_bucket_s_retention_and_verifies_with_the_public_key()
    {
        await using var harness = await CustodyHarness.StartAsync();
        await using var storage = await FakeStorageServer.StartAsync();
        storage.Bucket = new FakeBucketSettings { RetentionPeriodSeconds = 90 * 24 * 3600, RetentionLocked = true, DefaultEventBasedHold = false };
        var variables = harness.KmsEnvironment();
        variables.Remove("EVIDENCE_DIR");
        variables["EVIDENCE_BUCKET"] = Bucket;
        variables["STORAGE_EMULATOR_HOST"] = storage.EmulatorHost;

        var result = await harness.ReplayAsync(variables);
        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.Equal("signed", result.IndexEntry!.Seal!.SignatureStatus);

        var zip = storage.Objects.Get(Bucket, result.IndexEntry.Bundle.ObjectName)!.Content.ToArray();
        var folder = Path.Combine(harness.TempPath, "bucket-part");
        Directory.CreateDirectory(folder);
        await System.IO.Compression.ZipFile.ExtractToDirectoryAsync(new MemoryStream(zip), folder);
        var manifest = EvidenceJson.Deserialize<Manifest>(File.ReadAllBytes(Path.Combine(folder, "manifest.json")));
        Assert.Equal("gs://" + Bucket, manifest.Custody!.Storage.Store);
        Assert.Equal(90 * 24 * 3600, manifest.Custody.Storage.RetentionPeriodSeconds);
        Assert.True(manifest.Custody.Storage.RetentionLocked);
        Assert.Null(manifest.Custody.Storage.ReadError);

        var publicKey = harness.WriteFile("kms-public.pem", harness.Fake.Kms.PublicKeyPem());
        var environment = new Dictionary<string, string> { ["STORAGE_EMULATOR_HOST"] = storage.EmulatorHost };
        var verify = await CustodyHarness.CliAsync(environment, "verify", "--all", "--bucket", Bucket, "--public-key", publicKey, "--tsa-cert", harness.Tsa.CaCertificatePath, "--require-signature");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("sha256-metadata ok; files ok; signature ok; timestamp ok", verify.Output, StringComparison.Ordinal);

        // Whoever can write the bucket can rewrite bundle, index entry and metadata consistently, but cannot sign.
        var other = harness.WriteFile("other.pem", new FakeKms().PublicKeyPem());
        var wrongKey = await CustodyHarness.CliAsync(environment, "verify", "--all", "--bucket", Bucket, "--public-key", other);
        Assert.Equal(1, wrongKey.ExitCode);
        Assert.Contains(FakeKms.DefaultKeyVersion, wrongKey.Output, StringComparison.Ordinal);
        Assert.Single(storage.Objects.List(Bucket, BundleLayout.IndexPrefix));
    }
}
