using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// The <c>timestamp</c> check: the RFC 3161 token against manifest.json's SHA-256, the seal record's time, the
/// sealing window the manifest states, and the trusted TSA certificates.
/// </summary>
internal static class TimestampCheck
{
    private const string Sha256Oid = "2.16.840.1.101.3.4.2.1";
    private const string TimeStampingOid = "1.3.6.1.5.5.7.3.8";

    public static void Run(SignatureCheck.SealInput input, SealRecord? seal, byte[] digest, string hex, CustodyTrust trust, VerificationLog log)
    {
        if (!input.Files.TryGetValue(BundleLayout.Entries.Timestamp, out var bytes))
        {
            if (seal?.Timestamp == SealRecord.TimestampOk)
            {
                log.Problem(ProblemKind.TimestampMissing, $"the seal records a timestamp but the part has no {BundleLayout.Entries.Timestamp}", BundleLayout.Entries.Timestamp, "a timestamp token", "no entry");
                log.Check("timestamp", CheckOutcome.Failed, $"{BundleLayout.Entries.Timestamp} missing");
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
            log.Problem(ProblemKind.TimestampInvalid, $"{BundleLayout.Entries.Timestamp} is not an RFC 3161 timestamp token", BundleLayout.Entries.Timestamp);
            log.Check("timestamp", CheckOutcome.Failed, "unreadable token");
            return;
        }

        var info = token.TokenInfo;
        var time = info.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        if (info.HashAlgorithmId.Value != Sha256Oid || !info.GetMessageHash().Span.SequenceEqual(digest))
        {
            log.Problem(ProblemKind.TimestampInvalid, $"the timestamp token covers {Convert.ToHexStringLower(info.GetMessageHash().Span)}, not {BundleLayout.Entries.Manifest}'s SHA-256 {hex}", BundleLayout.Entries.Timestamp, hex, Convert.ToHexStringLower(info.GetMessageHash().Span));
        }

        if (seal?.TimestampTime is { } recorded && recorded != info.Timestamp)
        {
            log.Problem(ProblemKind.SealMismatch, $"the seal records timestamp time {recorded:O}, the token says {time}", BundleLayout.Entries.SealRecord);
        }

        if (!token.VerifySignatureForHash(digest, HashAlgorithmName.SHA256, out var signer, new X509Certificate2Collection(trust.TsaCertificates.ToArray())) || signer is null)
        {
            log.Problem(ProblemKind.TimestampInvalid, "the timestamp token's signature does not verify (token or manifest changed, or no signer certificate)", BundleLayout.Entries.Timestamp);
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
                    $"token over {BundleLayout.Entries.Manifest} at {time} by {who}; TSA NOT CHECKED: give --tsa-cert FILE");
                return;
            }

            if (!ChainsToTrusted(signer, token, info.Timestamp, trust.TsaCertificates, out var why))
            {
                log.Problem(ProblemKind.TimestampInvalid, $"the timestamp signer {who} is not a given TSA certificate and does not chain to one: {why}", BundleLayout.Entries.Timestamp, "a --tsa-cert", who);
            }

            log.Outcome("timestamp", before, $"{BundleLayout.Entries.Manifest} existed at {time} (TSA {who})");
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
                BundleLayout.Entries.Timestamp,
                $"{Iso(manifest.CreatedAt)} to {Iso(by)}",
                Iso(time));
        }
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

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
}
