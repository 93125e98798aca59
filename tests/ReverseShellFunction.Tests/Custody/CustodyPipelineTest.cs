using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Fakes.GoogleApis;
using ReverseShellFunction.Fakes.Tsa;
using ReverseShellFunction.Infrastructure.GoogleApis;
using ReverseShellFunction.Infrastructure.Kms;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Store;
using ReverseShellFunction.Tests.Collect.Support;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Custody;

/// <summary>
/// Issue 13's "done when": a part written through the pipeline verifies with openssl (signature and timestamp)
/// and with verify --public-key --tsa-cert offline; tampering, another key, unsigned and partly signed stores
/// and TSA or KMS failures are all reported.
/// </summary>
public sealed class CustodyPipelineTest
{
    [Fact]
    public async Task A_part_sealed_through_KMS_and_the_TSA_verifies_with_openssl_and_with_verify_offline()
    {
        await using var harness = await CustodyHarness.StartAsync();
        var result = await harness.ReplayAsync(harness.KmsEnvironment());
        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        var seal = result.IndexEntry!.Seal!;
        Assert.Equal("signed", seal.SignatureStatus);
        Assert.Equal(FakeKms.DefaultKeyVersion, seal.KeyId);
        Assert.Equal("ok", seal.Timestamp);

        // The KMS calls went through the real adapter with the bearer token: two signatures (manifest, DSSE).
        var kms = harness.Fake.Requests.Where(r => r.Api == FakeApi.Kms).ToList();
        Assert.Equal(2, kms.Count);
        Assert.All(kms, r => Assert.True(r.Authorized && r.StatusCode == 200, $"{r.Path} {r.StatusCode}"));

        var folder = harness.Unzip(result);
        var publicKey = harness.WriteFile("kms-public.pem", harness.Fake.Kms.PublicKeyPem());
        var (dgst, _) = await OpenSslTsa.RunOpenSslAsync(folder, ["dgst", "-sha256", "-verify", publicKey, "-signature", "manifest.sig", "manifest.json"]);
        Assert.Contains("Verified OK", dgst, StringComparison.Ordinal);
        var (ts, _) = await OpenSslTsa.RunOpenSslAsync(folder, ["ts", "-verify", "-token_in", "-in", "manifest.tsr", "-data", "manifest.json", "-CAfile", harness.Tsa.CaCertificatePath]);
        Assert.Contains("Verification: OK", ts, StringComparison.Ordinal);

        // The manifest records the store's protection as read at sealing; the DSSE statement names the manifest.
        var manifest = EvidenceJson.Deserialize<Manifest>(File.ReadAllBytes(Path.Combine(folder, "manifest.json")));
        Assert.Equal(FakeKms.DefaultKeyVersion, manifest.Custody!.Signer);
        Assert.Contains("local folder", manifest.Custody.Storage.Note, StringComparison.Ordinal);
        var envelope = JsonSerializer.Deserialize<DsseEnvelope>(File.ReadAllBytes(Path.Combine(folder, "manifest.dsse.json")))!;
        Assert.Equal("application/vnd.in-toto+json", envelope.PayloadType);
        using var statement = JsonDocument.Parse(Convert.FromBase64String(envelope.Payload));
        Assert.Equal("https://in-toto.io/Statement/v1", statement.RootElement.GetProperty("_type").GetString());
        Assert.Equal(seal.ManifestSha256, statement.RootElement.GetProperty("subject")[0].GetProperty("digest").GetProperty("sha256").GetString());

        var offline = new Dictionary<string, string>();
        var store = await CustodyHarness.CliAsync(offline, "verify", "--all", "--dir", harness.EvidenceDir, "--public-key", publicKey, "--tsa-cert", harness.Tsa.CaCertificatePath, "--require-signature");
        Assert.True(store.ExitCode == 0, store.ToString());
        Assert.Contains("signature ok; timestamp ok", store.Output, StringComparison.Ordinal);
        Assert.Contains("all 1 part(s) signed and verified", store.Output, StringComparison.Ordinal);

        var extracted = await CustodyHarness.CliAsync(offline, "verify", "--extracted", folder, "--public-key", publicKey, "--tsa-cert", harness.Tsa.CaCertificatePath, "--require-signature");
        Assert.True(extracted.ExitCode == 0, extracted.ToString());

        // --wide: the key version's name is longer than a 100-column line, so show wraps it after a '/' otherwise.
        var show = await CustodyHarness.CliAsync(offline, "show", result.BundleId!, "--dir", harness.EvidenceDir, "--wide");
        Assert.Contains(FakeKms.DefaultKeyVersion, show.Output, StringComparison.Ordinal);
        Assert.Contains($"{seal.TimestampTime!.Value.UtcDateTime:yyyy-MM-dd HH:mm:ss}", show.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_get_output_folder_carries_the_seal_and_verifies_offline()
    {
        await using var harness = await CustodyHarness.StartAsync();
        var result = await harness.ReplayAsync(harness.KmsEnvironment());
        var folder = Path.Combine(harness.TempPath, "downloaded");
        var publicKey = harness.WriteFile("kms-public.pem", harness.Fake.Kms.PublicKeyPem());

        // Without a key get checks all but the seal, says so and exits 4 (the folder is kept); with one, 0.
        var noKey = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "get", result.BundleId!, "--dir", harness.EvidenceDir, "--out", Path.Combine(harness.TempPath, "unchecked"));
        Assert.True(noKey.ExitCode == 4, noKey.ToString());
        Assert.Contains("NOT CHECKED: 1 part(s) carry a seal (signature and timestamp)", noKey.Error, StringComparison.Ordinal);
        var get = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "get", result.BundleId!, "--dir", harness.EvidenceDir, "--out", folder, "--public-key", publicKey, "--tsa-cert", harness.Tsa.CaCertificatePath, "--require-signature");
        Assert.True(get.ExitCode == 0, get.ToString());
        foreach (var name in BundleLayout.Entries.Seals)
        {
            Assert.True(File.Exists(Path.Combine(folder, "part-1", name)), $"get left out {name}");
        }

        var verify = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", "--extracted", folder, "--public-key", publicKey, "--tsa-cert", harness.Tsa.CaCertificatePath, "--require-signature");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("signature ok; timestamp ok", verify.Output, StringComparison.Ordinal);

        // A file added to the folder is not part of the sealed evidence.
        File.WriteAllText(Path.Combine(folder, "planted.txt"), "not evidence");
        var planted = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", "--extracted", folder, "--public-key", publicKey);
        Assert.Equal(1, planted.ExitCode);
        Assert.Contains("file planted.txt is in the case but no part gives it", planted.Output, StringComparison.Ordinal);
        File.Move(Path.Combine(folder, "planted.txt"), Path.Combine(folder, "part-1", "planted.txt"));
        planted = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", "--extracted", folder, "--public-key", publicKey);
        Assert.Equal(1, planted.ExitCode);
        Assert.Contains("planted.txt is in the folder but not in the manifest", planted.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_single_byte_change_to_the_manifest_signature_token_or_any_file_is_detected()
    {
        await using var harness = await CustodyHarness.StartAsync();
        var result = await harness.ReplayAsync(harness.KmsEnvironment());
        var folder = harness.Unzip(result);
        var publicKey = harness.WriteFile("kms-public.pem", harness.Fake.Kms.PublicKeyPem());
        using var trust = CustodyTrust.FromFiles([publicKey], [harness.Tsa.CaCertificatePath], null, requireSignature: true);
        Assert.True((await ExtractedFolderVerifier.VerifyAsync(folder, trust, CancellationToken.None)).Verified);

        var manifest = EvidenceJson.Deserialize<Manifest>(File.ReadAllBytes(Path.Combine(folder, "manifest.json")));
        string[] targets = ["manifest.json", "manifest.sig", "manifest.tsr", .. manifest.Files.Select(f => f.Path)];
        var changes = 0;
        foreach (var name in targets)
        {
            var path = Path.Combine(folder, name);
            var original = File.ReadAllBytes(path);

            // Every byte of the manifest, the signature and the token; 64 positions spread over each other file,
            // whose bytes reach the seal only through their SHA-256 in the manifest (and the signed statement).
            // The default lane (TestLane) takes every 19th byte and 4 positions: the same fixed sample every run.
            var step = BundleLayout.Entries.IsSeal(name) || name == "manifest.json" ? TestLane.Count(1, 19) : Math.Max(1, original.Length / TestLane.Count(64, 4));
            for (var i = 0; i < original.Length; i += step)
            {
                var changed = (byte[])original.Clone();
                changed[i] ^= 0x01;
                File.WriteAllBytes(path, changed);
                var verdict = await ExtractedFolderVerifier.VerifyAsync(folder, trust, CancellationToken.None);
                Assert.False(verdict.Verified, $"a change at byte {i} of {name} went unnoticed");
                changes++;
            }

            File.WriteAllBytes(path, original);
        }

        Assert.True((await ExtractedFolderVerifier.VerifyAsync(folder, trust, CancellationToken.None)).Verified);
        Assert.True(changes > TestLane.Count(1500, 500), $"only {changes} changes tried");
    }

    [Fact]
    public async Task A_part_signed_by_another_key_fails_with_a_message_naming_that_key()
    {
        await using var harness = await CustodyHarness.StartAsync();
        var result = await harness.ReplayAsync(harness.KmsEnvironment());
        const string other = "projects/evidence-project/locations/europe-west1/keyRings/evidence-custody/cryptoKeys/manifest-signing/cryptoKeyVersions/2";
        harness.Fake.Kms.AddVersion(other);
        var wrongKey = harness.WriteFile("other.pem", harness.Fake.Kms.PublicKeyPem(other));

        var verify = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", result.BundleId!, "--dir", harness.EvidenceDir, "--public-key", wrongKey);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("does not verify", verify.Output, StringComparison.Ordinal);
        Assert.Contains($"the seal names key {FakeKms.DefaultKeyVersion}", verify.Output, StringComparison.Ordinal);

        // Both keys given, as across a rotation: the right one is found.
        var rightKey = harness.WriteFile("right.pem", harness.Fake.Kms.PublicKeyPem());
        var rotated = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", result.BundleId!, "--dir", harness.EvidenceDir, "--public-key", wrongKey, "--public-key", rightKey, "--tsa-cert", harness.Tsa.CaCertificatePath);
        Assert.True(rotated.ExitCode == 0, rotated.ToString());
    }

    [Fact]
    public async Task Unsigned_and_partly_signed_stores_are_reported_and_require_signature_fails_them()
    {
        await using var harness = await CustodyHarness.StartAsync();
        var unsignedOnly = new Dictionary<string, string> { ["EVIDENCE_DIR"] = harness.EvidenceDir };
        await harness.ReplayAsync(unsignedOnly, Notifications.Variant(1).Bytes());
        var publicKey = harness.WriteFile("kms-public.pem", harness.Fake.Kms.PublicKeyPem());

        // An unsigned store: nothing to check without keys (0, said); with keys every part must verify (1).
        var unsigned = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", "--all", "--dir", harness.EvidenceDir);
        Assert.True(unsigned.ExitCode == 0, unsigned.ToString());
        Assert.Contains("the store is UNSIGNED", unsigned.Output, StringComparison.Ordinal);
        var unsignedWithKey = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", "--all", "--dir", harness.EvidenceDir, "--public-key", publicKey);
        Assert.Equal(1, unsignedWithKey.ExitCode);
        Assert.Contains("the part is unsigned (unsigned (no KMS_KEY_VERSION or SIGNING_KEY_FILE configured)) and trusted keys were given", unsignedWithKey.Output, StringComparison.Ordinal);

        // Partly signed: without keys the signature was not checked (4), --hashes-only accepts that; with keys the unsigned part fails.
        await harness.ReplayAsync(harness.KmsEnvironment(), Notifications.Variant(2).Bytes());
        var partly = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", "--all", "--dir", harness.EvidenceDir);
        Assert.True(partly.ExitCode == 4, partly.ToString());
        Assert.Contains("the store is PARTLY SIGNED: 0 signed and verified, 1 unsigned, 1 signed but not checked", partly.Output, StringComparison.Ordinal);
        var hashes = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", "--all", "--dir", harness.EvidenceDir, "--hashes-only");
        Assert.True(hashes.ExitCode == 0, hashes.ToString());
        Assert.Contains("--hashes-only", hashes.Output, StringComparison.Ordinal);
        var withKey = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", "--all", "--dir", harness.EvidenceDir, "--public-key", publicKey, "--tsa-cert", harness.Tsa.CaCertificatePath);
        Assert.Equal(1, withKey.ExitCode);
        Assert.Contains("1 of 2 failed verification", withKey.Output, StringComparison.Ordinal);

        var required = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", "--all", "--dir", harness.EvidenceDir, "--public-key", publicKey, "--require-signature");
        Assert.Equal(1, required.ExitCode);
        Assert.Contains("1 of 2 failed verification", required.Output, StringComparison.Ordinal);
        Assert.Contains("--require-signature was given", required.Output, StringComparison.Ordinal);
        Assert.Equal(2, (await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", "--all", "--dir", harness.EvidenceDir, "--public-key", publicKey, "--hashes-only")).ExitCode);
    }

    [Fact]
    public async Task A_TSA_failure_never_blocks_storing_and_the_seal_says_why()
    {
        await using var harness = await CustodyHarness.StartAsync();
        harness.Tsa.FailNext(2);
        var result = await harness.ReplayAsync(harness.KmsEnvironment());
        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.Equal("failed (the TSA answered HTTP 503 (after 2 attempts))", result.IndexEntry!.Seal!.Timestamp);
        Assert.Equal("signed", result.IndexEntry.Seal.SignatureStatus);
        var folder = harness.Unzip(result);
        Assert.False(File.Exists(Path.Combine(folder, "manifest.tsr")));
        Assert.Contains("\"timestamp\": \"failed (the TSA answered HTTP 503", File.ReadAllText(Path.Combine(folder, "manifest.seal.json")), StringComparison.Ordinal);

        var publicKey = harness.WriteFile("kms-public.pem", harness.Fake.Kms.PublicKeyPem());
        var verify = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", "--all", "--dir", harness.EvidenceDir, "--public-key", publicKey, "--require-signature");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("timestamp skipped", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_KMS_refusal_stores_the_part_unsigned_with_the_reason_and_require_signature_fails_it()
    {
        await using var harness = await CustodyHarness.StartAsync();
        harness.Fake.Kms.Deny(FakeKms.DefaultKeyVersion);
        var result = await harness.ReplayAsync(harness.KmsEnvironment());
        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        var status = result.IndexEntry!.Seal!.SignatureStatus;
        Assert.StartsWith("failed (Cloud KMS asymmetricSign on " + FakeKms.DefaultKeyVersion + " failed: 403 PERMISSION_DENIED", status, StringComparison.Ordinal);

        var publicKey = harness.WriteFile("kms-public.pem", harness.Fake.Kms.PublicKeyPem());
        var verify = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", "--all", "--dir", harness.EvidenceDir, "--public-key", publicKey, "--require-signature");
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("PERMISSION_DENIED", verify.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no verifiedDigestCrc32c")]
    [InlineData("wrong signatureCrc32c")]
    public async Task A_KMS_answer_that_fails_its_integrity_checks_gives_a_part_sealed_not_trusted_never_signed(string fault)
    {
        await using var harness = await CustodyHarness.StartAsync();
        if (fault == "no verifiedDigestCrc32c")
        {
            harness.Fake.Kms.LoseNextDigestChecksums(100);
        }
        else
        {
            harness.Fake.Kms.TamperNextSignAnswers(100, answer => answer["signatureCrc32c"] = "12345");
        }

        var result = await harness.ReplayAsync(harness.KmsEnvironment());
        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        var seal = result.IndexEntry!.Seal!;
        Assert.NotEqual(SealRecord.SignedStatus, seal.SignatureStatus);
        Assert.StartsWith("failed (", seal.SignatureStatus, StringComparison.Ordinal);
        Assert.Contains("signature not trusted", seal.SignatureStatus, StringComparison.Ordinal);
        Assert.Null(seal.Signature);
        Assert.False(File.Exists(Path.Combine(harness.Unzip(result), BundleLayout.Entries.Signature)));
        Assert.Equal(CloudKmsSigner.IntegrityAttempts, harness.Fake.CountRequests(FakeApi.Kms));
    }

    [Fact]
    public async Task Without_the_right_bearer_token_KMS_answers_401_and_nothing_is_signed()
    {
        await using var harness = await CustodyHarness.StartAsync();
        var result = await harness.ReplayAsync(harness.KmsEnvironment(), token: "ya29.not-the-token");
        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.Contains("401 UNAUTHENTICATED", result.IndexEntry!.Seal!.SignatureStatus, StringComparison.Ordinal);
        Assert.Equal(0, harness.Fake.Kms.Signatures);
    }
}

/// <summary>verify without key files: public keys from Cloud KMS getPublicKey, through the real adapter and auth path, for versions of the trusted key only.</summary>
public sealed class CustodyKmsPublicKeyTest
{
    [Fact]
    public async Task Verify_fetches_the_public_key_from_KMS_for_the_trusted_key_and_says_so()
    {
        await using var harness = await CustodyHarness.StartAsync();
        var result = await harness.ReplayAsync(harness.KmsEnvironment());
        const string trustedKey = "projects/evidence-project/locations/europe-west1/keyRings/evidence-custody/cryptoKeys/manifest-signing";

        // The CLI's own path, with the token source swapped: Google.Apis.Auth would read the process environment.
        using var http = new HttpClient();
        var client = new GoogleApiClient(http, new FixedTokenSource(harness.Fake.AccessToken), new RecordedDelays().Policy(TimeSpan.FromSeconds(5)), TimeProvider.System, NullLogger<GoogleApiClient>.Instance);
        var resolver = new KmsPublicKeyResolver(new CloudKmsApi(client, harness.Fake.BaseUri.ToString().TrimEnd('/')), trustedKey);
        using var trust = new CustodyTrust([], [], resolver, requireSignature: true);
        var verifier = new BundleVerifier(new LocalEvidenceStore(harness.EvidenceDir), trust);

        var verdict = await verifier.VerifyAsync(BundleId.Parse(result.BundleId!), listedBundle: null, whenVerified: null, download: null, CancellationToken.None);
        Assert.True(verdict.Verified, string.Join("\n", verdict.Problems.Select(p => p.Message)));
        Assert.Contains($"verified with Cloud KMS getPublicKey of {FakeKms.DefaultKeyVersion}", verdict.Checks.Single(c => c.Name == "signature").Detail, StringComparison.Ordinal);
        var fetch = Assert.Single(harness.Fake.Requests, r => r.Api == FakeApi.Kms && r.Method == "GET");
        Assert.True(fetch.Authorized);
        Assert.EndsWith("/cryptoKeyVersions/1/publicKey", fetch.Path, StringComparison.Ordinal);

        // A version KMS does not have: the 404 is the reason given, and the part fails.
        await Assert.ThrowsAsync<PublicKeyUnavailableException>(() => resolver.ResolveAsync(trustedKey + "/cryptoKeyVersions/9", CancellationToken.None));
    }

    [Fact]
    public async Task A_seal_naming_a_key_outside_the_trusted_one_is_refused_without_fetching_it()
    {
        await using var harness = await CustodyHarness.StartAsync();
        await harness.ReplayAsync(harness.KmsEnvironment());
        var environment = new Dictionary<string, string>(harness.Fake.EnvironmentVariables);
        const string otherKey = "projects/evidence-project/locations/europe-west1/keyRings/evidence-custody/cryptoKeys/someone-elses";

        var verify = await CustodyHarness.CliAsync(environment, "verify", "--all", "--dir", harness.EvidenceDir, "--kms-key", otherKey);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains($"the signature by {FakeKms.DefaultKeyVersion} cannot be checked: it is not a version of the trusted key {otherKey}", verify.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Fake.Requests, r => r.Api == FakeApi.Kms && r.Method == "GET");
    }
}

/// <summary>The seal survives the crash-recovery path and a forged seal record is caught.</summary>
public sealed class CustodyRecoveryTest
{
    [Fact]
    public async Task An_index_entry_completed_after_a_crash_carries_the_bundles_seal()
    {
        await using var harness = await CustodyHarness.StartAsync();
        var first = await harness.ReplayAsync(harness.KmsEnvironment());
        var index = Path.Combine(harness.EvidenceDir, first.ObjectName!);
        File.SetAttributes(index, FileAttributes.Normal);
        File.Delete(index);

        var again = await harness.ReplayAsync(harness.KmsEnvironment());
        Assert.Equal(PipelineOutcome.AlreadyStored, again.Outcome);
        Assert.Equal(first.IndexEntry!.Seal, again.IndexEntry!.Seal);
        var publicKey = harness.WriteFile("kms-public.pem", harness.Fake.Kms.PublicKeyPem());
        var verify = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", "--all", "--dir", harness.EvidenceDir, "--public-key", publicKey, "--tsa-cert", harness.Tsa.CaCertificatePath, "--require-signature");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact]
    public async Task An_index_entry_whose_seal_was_changed_disagrees_with_the_bundle_and_fails()
    {
        await using var harness = await CustodyHarness.StartAsync();
        var result = await harness.ReplayAsync(harness.KmsEnvironment());
        var index = Path.Combine(harness.EvidenceDir, result.ObjectName!);
        File.SetAttributes(index, FileAttributes.Normal);
        var text = File.ReadAllText(index);
        File.WriteAllText(index, text.Replace("\"timestamp\": \"ok\"", "\"timestamp\": \"not requested (no TSA_URL configured)\"", StringComparison.Ordinal));
        Assert.NotEqual(text, File.ReadAllText(index));

        var publicKey = harness.WriteFile("kms-public.pem", harness.Fake.Kms.PublicKeyPem());
        var verify = await CustodyHarness.CliAsync(new Dictionary<string, string>(), "verify", "--all", "--dir", harness.EvidenceDir, "--public-key", publicKey);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("the index entry's seal and manifest.seal.json disagree", verify.Output, StringComparison.Ordinal);
    }
}
