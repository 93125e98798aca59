using System.Security.Cryptography;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// The <c>signature</c> check: manifest.sig against the trusted public keys (given, or fetched for the key the seal
/// names) over SHA-256 of the exact manifest bytes. An unsigned part is reported (check skipped, detail UNSIGNED),
/// and is a problem when the auditor requires signatures or gave keys.
/// </summary>
internal static class ManifestSignatureCheck
{
    /// <summary>The key manifest.sig verified with, or null.</summary>
    public static async Task<TrustedKey?> RunAsync(SignatureCheck.SealInput input, SealRecord? seal, byte[] digest, string hex, CustodyTrust trust, VerificationLog log, CancellationToken cancellationToken)
    {
        var keyId = seal?.KeyId is { } id ? DisplayText.Visible(id) : null;
        var before = log.ProblemCount;
        if (!input.Files.TryGetValue(BundleLayout.Entries.Signature, out var signature))
        {
            if (seal?.Signature is not null)
            {
                log.Problem(ProblemKind.SealMismatch, $"the seal records a signature by {keyId ?? "an unnamed key"} but the part has no {BundleLayout.Entries.Signature}", BundleLayout.Entries.Signature, BundleLayout.Entries.Signature, "no entry");
                log.Check("signature", CheckOutcome.Failed, $"{BundleLayout.Entries.Signature} missing");
                return null;
            }

            var reason = seal is null ? "no seal at all (sealed before signing existed, or the seal entries were removed)" : DisplayText.Visible(seal.SignatureStatus);
            var planned = input.Manifest?.Custody?.Signer is { } signer ? $"; the manifest names signer {DisplayText.Visible(signer)}" : "";
            log.Seal = new PartSeal(false, keyId, false);
            if (trust.RequireSignature || trust.HasKeys)
            {
                // With keys, a part without a signature is exactly what removing a seal looks like: never a pass.
                var why = trust.RequireSignature ? "--require-signature was given" : $"trusted keys were given ({TrustedKeys(trust)}) and every part must verify with one of them";
                log.Problem(ProblemKind.NotSigned, $"the part is unsigned ({reason}{planned}) and {why}", BundleLayout.Entries.Signature, "a signature by a trusted key", "none");
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
            log.Problem(ProblemKind.SealMismatch, $"{BundleLayout.Entries.Signature} differs from the signature the seal records", BundleLayout.Entries.Signature, "the recorded signature", "other bytes");
        }

        if (input.Manifest?.Custody?.Signer is { } named && keyId is not null && !string.Equals(DisplayText.Visible(named), keyId, StringComparison.Ordinal))
        {
            log.Problem(ProblemKind.SealMismatch, $"the manifest names signer {DisplayText.Visible(named)} but the seal says {keyId}", BundleLayout.Entries.SealRecord, DisplayText.Visible(named), keyId);
        }

        var keys = trust.Keys;
        log.Seal = new PartSeal(true, keyId, false);
        if (keys.Count == 0 && trust.Resolver is not null)
        {
            if (seal?.KeyId is null)
            {
                log.Problem(ProblemKind.SignatureInvalid, $"{BundleLayout.Entries.Signature} is present but no seal names the key that made it, so no key can be fetched", BundleLayout.Entries.Signature);
                log.Check("signature", CheckOutcome.Failed, "no key named");
                return null;
            }

            try
            {
                keys = [await trust.Resolver.ResolveAsync(seal.KeyId, cancellationToken)];
            }
            catch (PublicKeyUnavailableException ex)
            {
                log.Problem(ProblemKind.SignatureInvalid, $"the signature by {keyId} cannot be checked: {DisplayText.Visible(ex.Message, 500)}", BundleLayout.Entries.Signature, "a trusted public key", keyId);
                log.Check("signature", CheckOutcome.Failed, $"no trusted key for {keyId}");
                return null;
            }
        }

        if (keys.Count == 0)
        {
            var detail = $"signed by {keyId ?? "an unnamed key"}, NOT CHECKED: no public key given (--public-key FILE)";
            if (trust.RequireSignature)
            {
                log.Problem(ProblemKind.NotSigned, $"the signature by {keyId ?? "an unnamed key"} cannot be checked without a public key, and --require-signature was given", BundleLayout.Entries.Signature);
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
                $"{BundleLayout.Entries.Signature} does not verify over {BundleLayout.Entries.Manifest}'s SHA-256 {hex} with {given}; the seal names key {keyId ?? "(none)"}{other}",
                BundleLayout.Entries.Signature,
                given,
                keyId ?? "unknown key");
            log.Check("signature", CheckOutcome.Failed, $"not by a trusted key; the seal names {keyId ?? "no key"}");
            return null;
        }

        if (keyId is not null && keyId.StartsWith("local:sha256:", StringComparison.Ordinal) && keyId != EcKeys.LocalKeyIdOf(verified.Fingerprint))
        {
            log.Problem(ProblemKind.SealMismatch, $"the seal names key {keyId} but the signature verifies with {verified.Source} (sha256 {verified.Fingerprint})", BundleLayout.Entries.SealRecord, keyId, EcKeys.LocalKeyIdOf(verified.Fingerprint));
        }

        log.Seal = new PartSeal(true, keyId, true);
        log.Outcome("signature", before, $"signed by {keyId ?? "an unnamed key"}; verified with {verified.Source} (sha256 {verified.Fingerprint[..16]})");
        return verified;
    }

    internal static bool Verifies(ECDsa key, byte[] hash, byte[] signature)
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

    private static string TrustedKeys(CustodyTrust trust) =>
        trust.Keys.Count > 0 ? string.Join(", ", trust.Keys.Select(k => k.Source)) : "versions of the Cloud KMS key given";
}
