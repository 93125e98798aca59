using System.Security.Cryptography;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Custody;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// The custody checks of one bundle part: the seal record against the index entry and the manifest's digest,
/// then the three seal checks, each in its own class: <c>signature</c> (<see cref="ManifestSignatureCheck"/>),
/// <c>envelope</c> (<see cref="EnvelopeCheck"/>) and <c>timestamp</c> (<see cref="TimestampCheck"/>).
/// </summary>
internal static class SignatureCheck
{
    /// <summary>What a part offers for checking, whether read from a zip or from an extracted folder.</summary>
    /// <param name="HasIndex">False when the part has no readable index entry (an extracted folder never has one).</param>
    internal sealed record SealInput(byte[]? ManifestBytes, Manifest? Manifest, IReadOnlyDictionary<string, byte[]> Files, bool HasIndex, SealRecord? IndexSeal);

    /// <summary>The part's seal entries, each read whole, from a zip or a folder; one too large or unreadable is a problem, not a seal.</summary>
    /// <param name="read">One entry's bytes, null when larger than <see cref="EntryLimits.MaxSealBytes"/>; no task when the part has no such entry.</param>
    internal static async Task<Dictionary<string, byte[]>> ReadSealsAsync(Func<string, Task<byte[]?>?> read, VerificationLog log)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in BundleLayout.Entries.Seals)
        {
            try
            {
                if (read(name) is not { } reading)
                {
                    continue;
                }

                if (await reading is { } bytes)
                {
                    files[name] = bytes;
                }
                else
                {
                    log.Problem(ProblemKind.SealUnreadable, $"{name} is larger than {EntryLimits.MaxSealBytes} bytes", name);
                }
            }
            catch (InvalidDataException ex)
            {
                // Only a zip's entry throws this (a damaged entry); a folder's file reads or fails with IOException.
                log.Problem(ProblemKind.SealUnreadable, $"{name} could not be read from the zip: {ex.Message}", name);
            }
        }

        return files;
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
        var key = await ManifestSignatureCheck.RunAsync(input, seal, digest, hex, trust, log, cancellationToken);
        EnvelopeCheck.Run(input, key, hex, log);
        TimestampCheck.Run(input, seal, digest, hex, trust, log);
    }

    /// <summary>manifest.seal.json, cross-checked with the index entry's copy and with the manifest's digest.</summary>
    private static SealRecord? ReadRecord(SealInput input, string hex, VerificationLog log)
    {
        SealRecord? record = null;
        if (input.Files.TryGetValue(BundleLayout.Entries.SealRecord, out var bytes))
        {
            try
            {
                record = EvidenceJson.Deserialize<SealRecord>(bytes);
            }
            catch (JsonException ex)
            {
                log.Problem(ProblemKind.SealUnreadable, $"{BundleLayout.Entries.SealRecord} is not a readable seal record: {ex.Message}", BundleLayout.Entries.SealRecord);
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
                    $"the index entry's seal and {BundleLayout.Entries.SealRecord} disagree (index entry: {(input.IndexSeal is null ? "no seal" : "a seal")}, zip: {(record is null ? "no seal record" : "a seal record")})",
                    BundleLayout.Entries.SealRecord,
                    input.IndexSeal is null ? "no seal" : Describe(input.IndexSeal),
                    record is null ? "no seal record" : Describe(record));
            }
        }

        var seal = record ?? input.IndexSeal;
        if (seal is not null && !string.Equals(seal.ManifestSha256, hex, StringComparison.OrdinalIgnoreCase))
        {
            log.Problem(
                ProblemKind.SealMismatch,
                $"the seal was made for a manifest with sha256 {DisplayText.Visible(seal.ManifestSha256, 80)}, {BundleLayout.Entries.Manifest} hashes to {hex}",
                BundleLayout.Entries.Manifest,
                DisplayText.Visible(seal.ManifestSha256, 80),
                hex);
        }

        return seal;
    }

    private static string Describe(SealRecord seal) =>
        $"{DisplayText.Visible(seal.SignatureStatus, 100)} by {DisplayText.Visible(seal.KeyId ?? "-", 200)}, timestamp {DisplayText.Visible(seal.Timestamp, 100)}";
}
