using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// The custody checks of one bundle part: manifest.sig against the trusted public keys over SHA-256 of the exact
/// manifest bytes, the DSSE envelope and its in-toto statement against the manifest, the RFC 3161 token against
/// the same digest and the trusted TSA certificates, and the seal record against the index entry. The checks are
/// named <c>signature</c>, <c>envelope</c> and <c>timestamp</c>. An unsigned part is reported (check skipped,
/// detail UNSIGNED), and is a problem when the auditor requires signatures.
/// </summary>
internal static class SignatureCheck
{
    private const string Sha256Oid = "2.16.840.1.101.3.4.2.1";
    private const string TimeStampingOid = "1.3.6.1.5.5.7.3.8";

    /// <summary>What a part offers for checking, whether read from a zip or from an extracted folder.</summary>
    internal sealed record SealInput(byte[]? ManifestBytes, Manifest? Manifest, IReadOnlyDictionary<string, byte[]> Files, bool HasIndex, SealRecord? IndexSeal);

    /// <summary>From a zip's inventory; <paramref name="index"/> null means no readable index entry.</summary>
    public static async Task RunAsync(BundleInventory inventory, StoredIndexEntry? index, CustodyTrust trust, VerificationLog log, CancellationToken cancellationToken)
    {
        byte[]? manifestBytes = null;
        if (inventory.Manifest is not null && inventory.Entries.TryGetValue(Manifest.FileName, out var manifestEntry))
        {
            manifestBytes = await EntryDigest.ReadSmallAsync(manifestEntry, BundleInventory.MaxJsonBytes, cancellationToken);
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in SealFiles.All)
        {
            if (inventory.Entries.TryGetValue(name, out var entry) && await ReadSealEntryAsync(entry, name, log, cancellationToken) is { } bytes)
            {
                files[name] = bytes;
            }
        }

        await RunAsync(new SealInput(manifestBytes, inventory.Manifest, files, index is not null, index?.Entry.Seal), trust, log, cancellationToken);
    }

    private static async Task<byte[]?> ReadSealEntryAsync(ZipArchiveEntry entry, string name, VerificationLog log, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await EntryDigest.ReadSmallAsync(entry, SealFiles.MaxBytes, cancellationToken);
            if (bytes is null)
            {
                log.Problem(ProblemKind.SealUnreadable, $"{name} is larger than {SealFiles.MaxBytes} bytes", name);
            }

            return bytes;
        }
        catch (InvalidDataException ex)
        {
            log.Problem(ProblemKind.SealUnreadable, $"{name} could not be read from the zip: {ex.Message}", name);
            return null;
        }
    }

    public static async Task RunAsync(SealInput input, CustodyTrust trust, VerificationLog log, CancellationToken cancellationToken)
    {
        if (input.ManifestBytes is null)
        {
            log.Check("signature", CheckOutcome.Skipped, "no readable manifest");
            return;
        }

        var digest = SHA256.HashData(input.ManifestBytes);
        var hex = Convert.ToHexStringLower(digest);
        var seal = ReadRecord(input, hex, log);
        var key = await CheckSignatureAsync(input, seal, digest, hex, trust, log, cancellationToken);
        CheckEnvelope(input, key, hex, log);
        CheckTimestamp(input, seal, digest, hex, trust, log);
    }

    /// <summary>manifest.seal.json, cross-checked with the index entry's copy and with the manifest's digest.</summary>
    private static SealRecord? ReadRecord(SealInput input, string hex, VerificationLog log)
    {
        SealRecord? record = null;
        if (input.Files.TryGetValue(SealFiles.Record, out var bytes))
        {
            try
            {
                record = EvidenceJson.Deserialize<SealRecord>(bytes);
            }
            catch (JsonException ex)
            {
                log.Problem(ProblemKind.SealUnreadable, $"{SealFiles.Record} is not a readable seal record: {ex.Message}", SealFiles.Record);
            }
        }

        if (input.HasIndex)
        {
            var inZip = record is null ? "none" : Convert.ToHexStringLower(SHA256.HashData(EvidenceJson.Serialize(record)));
            var inIndex = input.IndexSeal is null ? "none" : Convert.ToHexStringLower(SHA256.HashData(EvidenceJson.Serialize(input.IndexSeal)));
            if (inZip != inIndex)
            {
                log.Problem(
                    ProblemKind.SealMismatch,
                    $"the index entry's seal and {SealFiles.Record} disagree (index entry: {(input.IndexSeal is null ? "no seal" : "a seal")}, zip: {(record is null ? "no seal record" : "a seal record")})",
                    SealFiles.Record,
                    input.IndexSeal is null ? "no seal" : Describe(input.IndexSeal),
                    record is null ? "no seal record" : Describe(record));
            }
        }

        var seal = record ?? input.IndexSeal;
        if (seal is not null && !string.Equals(seal.ManifestSha256, hex, StringComparison.OrdinalIgnoreCase))
        {
            log.Problem(
                ProblemKind.SealMismatch,
                $"the seal was made for a manifest with sha256 {DisplayText.Visible(seal.ManifestSha256, 80)}, manifest.json hashes to {hex}",
                Manifest.FileName,
                DisplayText.Visible(seal.ManifestSha256, 80),
                hex);
        }

        return seal;
    }

    /// <summary>The key manifest.sig verified with, or null.</summary>
    private static async Task<TrustedKey?> CheckSignatureAsync(SealInput input, SealRecord? seal, byte[] digest, string hex, CustodyTrust trust, VerificationLog log, CancellationToken cancellationToken)
    {
        var keyId = seal?.KeyId is { } id ? DisplayText.Visible(id) : null;
        var before = log.ProblemCount;
        if (!input.Files.TryGetValue(SealFiles.Signature, out var signature))
        {
            if (seal?.Signature is not null)
            {
                log.Problem(ProblemKind.SealMismatch, $"the seal records a signature by {keyId ?? "an unnamed key"} but the part has no {SealFiles.Signature}", SealFiles.Signature, "manifest.sig", "no entry");
                log.Check("signature", CheckOutcome.Failed, "manifest.sig missing");
                return null;
            }

            var reason = seal is null ? "no seal at all (sealed before signing existed, or the seal entries were removed)" : DisplayText.Visible(seal.SignatureStatus);
            var planned = input.Manifest?.Custody?.Signer is { } signer ? $"; the manifest names signer {DisplayText.Visible(signer)}" : "";
            log.Seal = new PartSeal(false, keyId, false);
            if (trust.RequireSignature || trust.HasKeys)
            {
                // With keys, a part without a signature is exactly what removing a seal looks like: never a pass.
                var why = trust.RequireSignature ? "--require-signature was given" : $"trusted keys were given ({TrustedKeys(trust)}) and every part must verify with one of them";
                log.Problem(ProblemKind.NotSigned, $"the part is unsigned ({reason}{planned}) and {why}", SealFiles.Signature, "a signature by a trusted key", "none");
                log.Check("signature", CheckOutcome.Failed, $"UNSIGNED: {reason}");
            }
            else
            {
                log.Check("signature", CheckOutcome.Skipped, $"UNSIGNED: {reason}{planned}");
            }

            return null;
        }

        if (seal?.Signature is { } recorded && !string.Equals(recorded, Convert.ToBase64String(signature), StringComparison.Ordinal))
        {
            log.Problem(ProblemKind.SealMismatch, $"{SealFiles.Signature} differs from the signature the seal records", SealFiles.Signature, "the recorded signature", "other bytes");
        }

        if (input.Manifest?.Custody?.Signer is { } named && keyId is not null && !string.Equals(DisplayText.Visible(named), keyId, StringComparison.Ordinal))
        {
            log.Problem(ProblemKind.SealMismatch, $"the manifest names signer {DisplayText.Visible(named)} but the seal says {keyId}", SealFiles.Record, DisplayText.Visible(named), keyId);
        }

        var keys = trust.Keys;
        log.Seal = new PartSeal(true, keyId, false);
        if (keys.Count == 0 && trust.Resolver is not null)
        {
            if (seal?.KeyId is null)
            {
                log.Problem(ProblemKind.SignatureInvalid, "manifest.sig is present but no seal names the key that made it, so no key can be fetched", SealFiles.Signature);
                log.Check("signature", CheckOutcome.Failed, "no key named");
                return null;
            }

            try
            {
                keys = [await trust.Resolver.ResolveAsync(seal.KeyId, cancellationToken)];
            }
            catch (PublicKeyUnavailableException ex)
            {
                log.Problem(ProblemKind.SignatureInvalid, $"the signature by {keyId} cannot be checked: {DisplayText.Visible(ex.Message, 500)}", SealFiles.Signature, "a trusted public key", keyId);
                log.Check("signature", CheckOutcome.Failed, $"no trusted key for {keyId}");
                return null;
            }
        }

        if (keys.Count == 0)
        {
            var detail = $"signed by {keyId ?? "an unnamed key"}, NOT CHECKED: no public key given (--public-key FILE)";
            if (trust.RequireSignature)
            {
                log.Problem(ProblemKind.NotSigned, $"the signature by {keyId ?? "an unnamed key"} cannot be checked without a public key, and --require-signature was given", SealFiles.Signature);
                log.Check("signature", CheckOutcome.Failed, detail);
            }
            else
            {
                log.Check("signature", CheckOutcome.Skipped, detail);
                log.NotChecked.Add("signature");
            }

            return null;
        }

        var verified = keys.FirstOrDefault(k => Verifies(k.Key, digest, signature));
        if (verified is null)
        {
            var given = string.Join(", ", keys.Select(k => $"{k.Source} (sha256 {k.Fingerprint[..16]})"));
            var other = keyId is not null && keyId.StartsWith("local:sha256:", StringComparison.Ordinal) && keys.All(k => keyId != EcKeys.LocalKeyIdOf(k.Fingerprint))
                ? ": it was signed by another key"
                : ": signed by another key, or the manifest or the signature was changed";
            log.Problem(
                ProblemKind.SignatureInvalid,
                $"manifest.sig does not verify over manifest.json's SHA-256 {hex} with {given}; the seal names key {keyId ?? "(none)"}{other}",
                SealFiles.Signature,
                given,
                keyId ?? "unknown key");
            log.Check("signature", CheckOutcome.Failed, $"not by a trusted key; the seal names {keyId ?? "no key"}");
            return null;
        }

        if (keyId is not null && keyId.StartsWith("local:sha256:", StringComparison.Ordinal) && keyId != EcKeys.LocalKeyIdOf(verified.Fingerprint))
        {
            log.Problem(ProblemKind.SealMismatch, $"the seal names key {keyId} but the signature verifies with {verified.Source} (sha256 {verified.Fingerprint})", SealFiles.Record, keyId, EcKeys.LocalKeyIdOf(verified.Fingerprint));
        }

        log.Seal = new PartSeal(true, keyId, true);
        log.Outcome("signature", before, $"signed by {keyId ?? "an unnamed key"}; verified with {verified.Source} (sha256 {verified.Fingerprint[..16]})");
        return verified;
    }

    private static bool Verifies(ECDsa key, byte[] hash, byte[] signature)
    {
        try
        {
            return key.VerifyHash(hash, signature, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static void CheckEnvelope(SealInput input, TrustedKey? key, string hex, VerificationLog log)
    {
        if (!input.Files.TryGetValue(SealFiles.Envelope, out var bytes))
        {
            if (input.Files.ContainsKey(SealFiles.Signature))
            {
                log.Problem(ProblemKind.EnvelopeInvalid, $"the part is signed but has no {SealFiles.Envelope}", SealFiles.Envelope, "a DSSE envelope", "no entry");
                log.Check("envelope", CheckOutcome.Failed, "missing");
            }

            return;
        }

        var before = log.ProblemCount;
        try
        {
            var envelope = JsonSerializer.Deserialize<DsseEnvelope>(bytes) ?? throw new JsonException("null envelope");
            if (envelope.PayloadType != DsseEnvelope.InTotoPayloadType)
            {
                log.Problem(ProblemKind.EnvelopeInvalid, $"the envelope's payloadType is '{DisplayText.Visible(envelope.PayloadType, 100)}', expected {DsseEnvelope.InTotoPayloadType}", SealFiles.Envelope);
            }

            var payload = Convert.FromBase64String(envelope.Payload ?? "");
            var statement = JsonSerializer.Deserialize<InTotoStatement>(payload) ?? throw new JsonException("null statement");
            if (statement.Type != InTotoStatement.StatementType || statement.PredicateType != InTotoStatement.CustodyPredicateType)
            {
                log.Problem(ProblemKind.EnvelopeInvalid, $"the statement is not an in-toto Statement v1 with predicate {InTotoStatement.CustodyPredicateType}", SealFiles.Envelope);
            }

            CompareSubjects(statement, input, hex, log);
            if (key is not null)
            {
                var pae = SHA256.HashData(DsseEnvelope.PreAuthenticationEncoding(envelope.PayloadType ?? "", payload));
                if (!(envelope.Signatures ?? []).Any(s => Verifies(key.Key, pae, Base64OrEmpty(s.Sig))))
                {
                    log.Problem(ProblemKind.EnvelopeInvalid, $"no signature of the DSSE envelope verifies with {key.Source}", SealFiles.Envelope);
                }
            }

            log.Outcome("envelope", before, key is null
                ? $"in-toto statement over {statement.Subject.Count} subjects; envelope signature not checked (no verified key)"
                : $"in-toto statement over {statement.Subject.Count} subjects (manifest.json, its files, the token), DSSE signature verified");
        }
        catch (Exception ex) when (ex is JsonException or FormatException or NullReferenceException)
        {
            log.Problem(ProblemKind.EnvelopeInvalid, $"{SealFiles.Envelope} is not a readable DSSE envelope with an in-toto statement: {DisplayText.Visible(ex.Message)}", SealFiles.Envelope);
            log.Check("envelope", CheckOutcome.Failed, "unreadable");
        }
    }

    private static byte[] Base64OrEmpty(string? text)
    {
        try
        {
            return Convert.FromBase64String(text ?? "");
        }
        catch (FormatException)
        {
            return [];
        }
    }

    private static void CompareSubjects(InTotoStatement statement, SealInput input, string hex, VerificationLog log)
    {
        var manifest = input.Manifest;
        var expected = new Dictionary<string, string>(StringComparer.Ordinal) { [Manifest.FileName] = hex };

        // The token is named in the signed statement, so its unsigned CMS parts cannot change unseen either.
        if (input.Files.TryGetValue(SealFiles.Timestamp, out var token))
        {
            expected[SealFiles.Timestamp] = Convert.ToHexStringLower(SHA256.HashData(token));
        }

        // A hostile manifest may lack paths or hashes; the file checks report that, here it must not crash.
        foreach (var file in (manifest?.Files ?? []).Where(f => f?.Path is not null))
        {
            expected.TryAdd(file.Path, file.Sha256?.ToLowerInvariant() ?? "");
        }

        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var subject in statement.Subject ?? [])
        {
            var value = subject.Digest?.GetValueOrDefault("sha256") ?? "";
            if (!found.TryAdd(subject.Name ?? "", value.ToLowerInvariant()))
            {
                log.Problem(ProblemKind.EnvelopeInvalid, $"the statement lists subject {DisplayText.Visible(subject.Name)} twice", SealFiles.Envelope);
            }
        }

        foreach (var (name, sha) in expected)
        {
            if (!found.TryGetValue(name, out var other))
            {
                log.Problem(ProblemKind.EnvelopeInvalid, $"the statement has no subject {name}", SealFiles.Envelope, sha, "no subject");
            }
            else if (other != sha)
            {
                log.Problem(ProblemKind.EnvelopeInvalid, $"the statement gives {name} sha256 {DisplayText.Visible(other, 80)}, the part has {sha}", SealFiles.Envelope, sha, DisplayText.Visible(other, 80));
            }
        }

        foreach (var name in found.Keys.Where(n => !expected.ContainsKey(n)))
        {
            log.Problem(ProblemKind.EnvelopeInvalid, $"the statement names subject {DisplayText.Visible(name)}, which the part does not have", SealFiles.Envelope);
        }
    }

    private static void CheckTimestamp(SealInput input, SealRecord? seal, byte[] digest, string hex, CustodyTrust trust, VerificationLog log)
    {
        if (!input.Files.TryGetValue(SealFiles.Timestamp, out var bytes))
        {
            if (seal?.Timestamp == SealRecord.TimestampOk)
            {
                log.Problem(ProblemKind.TimestampMissing, $"the seal records a timestamp but the part has no {SealFiles.Timestamp}", SealFiles.Timestamp, "a timestamp token", "no entry");
                log.Check("timestamp", CheckOutcome.Failed, "manifest.tsr missing");
            }
            else
            {
                log.Check("timestamp", CheckOutcome.Skipped, $"no timestamp: {DisplayText.Visible(seal?.Timestamp ?? "no seal")}");
            }

            return;
        }

        var before = log.ProblemCount;
        if (!Rfc3161TimestampToken.TryDecode(bytes, out var token, out var consumed) || consumed != bytes.Length)
        {
            log.Problem(ProblemKind.TimestampInvalid, $"{SealFiles.Timestamp} is not an RFC 3161 timestamp token", SealFiles.Timestamp);
            log.Check("timestamp", CheckOutcome.Failed, "unreadable token");
            return;
        }

        var info = token.TokenInfo;
        var time = info.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        if (info.HashAlgorithmId.Value != Sha256Oid || !info.GetMessageHash().Span.SequenceEqual(digest))
        {
            log.Problem(ProblemKind.TimestampInvalid, $"the timestamp token covers {Convert.ToHexStringLower(info.GetMessageHash().Span)}, not manifest.json's SHA-256 {hex}", SealFiles.Timestamp, hex, Convert.ToHexStringLower(info.GetMessageHash().Span));
        }

        if (seal?.TimestampTime is { } recorded && recorded != info.Timestamp)
        {
            log.Problem(ProblemKind.SealMismatch, $"the seal records timestamp time {recorded:O}, the token says {time}", SealFiles.Record);
        }

        var extra = new X509Certificate2Collection();
        extra.AddRange(trust.TsaCertificates.ToArray());
        if (!token.VerifySignatureForHash(digest, HashAlgorithmName.SHA256, out var signer, extra) || signer is null)
        {
            log.Problem(ProblemKind.TimestampInvalid, "the timestamp token's signature does not verify (token or manifest changed, or no signer certificate)", SealFiles.Timestamp);
            log.Check("timestamp", CheckOutcome.Failed, $"token time {time}, signature invalid");
            return;
        }

        using (signer)
        {
            var who = DisplayText.Visible(signer.Subject, 200);
            CheckTimeWindow(input.Manifest, info.Timestamp, log);
            if (trust.TsaCertificates.Count == 0)
            {
                log.NotChecked.Add("timestamp");
                log.Check(
                    "timestamp",
                    log.ProblemCount == before ? CheckOutcome.Skipped : CheckOutcome.Failed,
                    $"token over manifest.json at {time} by {who}; TSA NOT CHECKED: give --tsa-cert FILE");
                return;
            }

            if (!ChainsToTrusted(signer, token, info.Timestamp, trust.TsaCertificates, out var why))
            {
                log.Problem(ProblemKind.TimestampInvalid, $"the timestamp signer {who} is not a given TSA certificate and does not chain to one: {why}", SealFiles.Timestamp, "a --tsa-cert", who);
            }

            log.Outcome("timestamp", before, $"manifest.json existed at {time} (TSA {who})");
        }
    }

    /// <summary>
    /// The token's time against the manifest's own statement of when it was sealed: not before it was created
    /// (less <see cref="ManifestCustody.ClockSkew"/>), not after the bound it states (<see cref="ManifestCustody.SealBy"/>,
    /// or <see cref="ManifestCustody.DefaultSealWindow"/> after creation in manifests from before the bound was written).
    /// A token the trusted TSA gave later, over a rewritten manifest, falls outside.
    /// </summary>
    private static void CheckTimeWindow(Manifest? manifest, DateTimeOffset time, VerificationLog log)
    {
        if (manifest is null)
        {
            return;
        }

        var from = manifest.CreatedAt - ManifestCustody.ClockSkew;
        var by = manifest.Custody?.SealBy ?? manifest.CreatedAt + ManifestCustody.DefaultSealWindow;
        if (time < from || time > by)
        {
            log.Problem(
                ProblemKind.TimestampInvalid,
                $"the timestamp token's time {Iso(time)} is outside the sealing window the manifest states ({Iso(manifest.CreatedAt)} to {Iso(by)}): a token obtained {(time < from ? "before the manifest was made" : "after the part was sealed, e.g. over a rewritten manifest")}",
                SealFiles.Timestamp,
                $"{Iso(manifest.CreatedAt)} to {Iso(by)}",
                Iso(time));
        }
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string TrustedKeys(CustodyTrust trust) =>
        trust.Keys.Count > 0 ? string.Join(", ", trust.Keys.Select(k => k.Source)) : "versions of the Cloud KMS key given";

    private static bool ChainsToTrusted(X509Certificate2 signer, Rfc3161TimestampToken token, DateTimeOffset at, IReadOnlyList<X509Certificate2> trusted, out string why)
    {
        why = "";
        if (trusted.Any(t => t.RawDataMemory.Span.SequenceEqual(signer.RawDataMemory.Span)))
        {
            return true;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(token.AsSignedCms().Certificates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(TimeStampingOid));
        if (chain.Build(signer))
        {
            return true;
        }

        why = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return false;
    }

    private static string Describe(SealRecord seal) =>
        $"{DisplayText.Visible(seal.SignatureStatus, 100)} by {DisplayText.Visible(seal.KeyId ?? "-", 200)}, timestamp {DisplayText.Visible(seal.Timestamp, 100)}";
}
