using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Custody;

/// <summary>
/// Seals a bundle part when it is built: reads the store's protection for the manifest, then signs the SHA-256 of
/// the exact manifest bytes, asks the TSA for a token over the same digest, and signs a DSSE envelope with an
/// in-toto statement over the manifest and every file. Evidence is never held back: a signer or TSA failure is
/// logged and written into the seal record, and the part is stored all the same.
/// </summary>
public sealed partial class ManifestSealer(IManifestSigner? signer, ITimestampAuthority? tsa, IStorageProtectionReader protection, ILogger<ManifestSealer> logger, TimeProvider? time = null)
{
    private readonly IStorageProtectionReader _protection = protection ?? throw new ArgumentNullException(nameof(protection));
    private readonly ILogger<ManifestSealer> _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private StorageProtection? _lastProtection;

    /// <summary>How long one reading of the store's protection is reused; each manifest says when it was read.</summary>
    public static readonly TimeSpan ProtectionReuse = TimeSpan.FromMinutes(1);

    /// <summary>The key id parts are signed with; null when none is configured. Named by summary.html, which is written before the seal.</summary>
    public string? SignerKeyId => signer?.KeyId;

    /// <summary>Where timestamp tokens are asked for; null when no TSA is configured.</summary>
    public string? TimestampAuthority => tsa?.Location;

    /// <summary>The manifest's custody section, read before the manifest is written.</summary>
    public async Task<ManifestCustody> PrepareAsync(CancellationToken cancellationToken)
    {
        var storage = await ProtectionAsync(cancellationToken);
        return new()
        {
            Signer = signer?.KeyId,
            TimestampAuthority = tsa?.Location,
            Storage = storage,

            // Stated only when a token is asked for: it bounds the token's time (verify's timestamp check).
            SealBy = tsa is null ? null : _time.GetUtcNow() + ManifestCustody.SealWindow,
        };
    }

    /// <summary>
    /// The store's protection, read at most once a minute: a bucket read on every delivery would add a round trip
    /// to each bundle (and to a burst, one per event) for settings that change rarely. A failed read is not reused.
    /// </summary>
    private async Task<StorageProtection> ProtectionAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (Volatile.Read(ref _lastProtection) is { ReadAt: { } at } last && now - at < ProtectionReuse && now >= at)
        {
            return last;
        }

        var read = await _protection.ReadAsync(cancellationToken) with { ReadAt = now };
        if (read.ReadError is null)
        {
            Volatile.Write(ref _lastProtection, read);
        }

        return read;
    }

    /// <summary>Writes the seal entries into <paramref name="staging"/> and returns the record (also written there).</summary>
    public async Task<SealRecord> SealAsync(StagingDirectory staging, Manifest manifest, byte[] manifestBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(staging);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(manifestBytes);
        var digest = SHA256.HashData(manifestBytes);
        var record = new SealRecord
        {
            ManifestSha256 = Convert.ToHexStringLower(digest),
            SignatureStatus = "unsigned (no KMS_KEY_VERSION or SIGNING_KEY_FILE configured)",
            Timestamp = "not requested (no TSA_URL configured)",
        };

        // The token first, so the signed in-toto statement can name it: then no byte of it can change unseen.
        byte[]? token = null;
        if (tsa is not null)
        {
            (record, token) = await StampAsync(staging, digest, record, cancellationToken);
        }

        if (signer is not null)
        {
            record = await SignAsync(staging, manifest, digest, token, record, cancellationToken);
        }

        await staging.WriteAllBytesAsync(BundleLayout.Entries.SealRecord, EvidenceJson.Serialize(record), cancellationToken);
        return record;
    }

    private async Task<SealRecord> SignAsync(StagingDirectory staging, Manifest manifest, byte[] digest, byte[]? token, SealRecord record, CancellationToken cancellationToken)
    {
        try
        {
            var signature = await signer!.SignDigestAsync(digest, cancellationToken);
            var envelope = await EnvelopeAsync(manifest, digest, token, cancellationToken);
            await staging.WriteAllBytesAsync(BundleLayout.Entries.Signature, signature.Der, cancellationToken);
            await staging.WriteAllBytesAsync(BundleLayout.Entries.Envelope, EvidenceJson.Serialize(envelope), cancellationToken);
            return record with
            {
                SignatureStatus = SealRecord.SignedStatus,
                Signature = Convert.ToBase64String(signature.Der),
                KeyId = signature.KeyId,
                Algorithm = SealRecord.EcdsaP256Sha256,
                Envelope = true,
            };
        }
        catch (SigningException ex)
        {
            LogSigningFailed(_logger, manifest.BundleId, signer!.KeyId, ex.Message);
            return record with { SignatureStatus = $"failed ({ex.Message})", KeyId = signer.KeyId };
        }
    }

    private async Task<DsseEnvelope> EnvelopeAsync(Manifest manifest, byte[] digest, byte[]? token, CancellationToken cancellationToken)
    {
        var subjects = new List<InTotoSubject> { Subject(BundleLayout.Entries.Manifest, Convert.ToHexStringLower(digest)) };
        if (token is not null)
        {
            subjects.Add(Subject(BundleLayout.Entries.Timestamp, Convert.ToHexStringLower(SHA256.HashData(token))));
        }

        subjects.AddRange(manifest.Files.Select(f => Subject(f.Path, f.Sha256)));
        var statement = new InTotoStatement(
            InTotoStatement.StatementType,
            subjects,
            InTotoStatement.CustodyPredicateType,
            new CustodyPredicate(manifest.BundleId, manifest.FindingName, manifest.EventTime, manifest.CreatedAt, signer!.KeyId, $"{manifest.Tool.Name} {manifest.Tool.Version}"));
        var payload = EvidenceJson.Serialize(statement);
        var pae = DsseEnvelope.PreAuthenticationEncoding(DsseEnvelope.InTotoPayloadType, payload);
        var signature = await signer.SignDigestAsync(SHA256.HashData(pae), cancellationToken);
        return new DsseEnvelope(Convert.ToBase64String(payload), DsseEnvelope.InTotoPayloadType, [new DsseSignature(signature.KeyId, Convert.ToBase64String(signature.Der))]);
    }

    private static InTotoSubject Subject(string name, string sha256) => new(name, new Dictionary<string, string> { ["sha256"] = sha256 });

    private async Task<(SealRecord Record, byte[]? Token)> StampAsync(StagingDirectory staging, byte[] digest, SealRecord record, CancellationToken cancellationToken)
    {
        try
        {
            var token = await tsa!.StampAsync(digest, cancellationToken);
            await staging.WriteAllBytesAsync(BundleLayout.Entries.Timestamp, token.Der, cancellationToken);
            return (record with { Timestamp = SealRecord.TimestampOk, TimestampTime = token.Time, TimestampAuthority = token.Authority }, token.Der);
        }
        catch (TimestampException ex)
        {
            LogTimestampFailed(_logger, tsa!.Location, ex.Message);
            return (record with { Timestamp = $"failed ({ex.Message})", TimestampAuthority = tsa.Location }, null);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Bundle {BundleId} is stored unsigned: signing with {KeyId} failed: {Reason}")]
    private static partial void LogSigningFailed(ILogger logger, string bundleId, string keyId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No timestamp from {Tsa}: {Reason}; the bundle is stored without one")]
    private static partial void LogTimestampFailed(ILogger logger, string tsa, string reason);
}
