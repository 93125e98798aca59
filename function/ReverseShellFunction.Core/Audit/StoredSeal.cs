using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Audit;

/// <summary>
/// Reads manifest.seal.json back from a stored bundle, so an index entry completed after a crash carries the
/// same seal as the one the crash prevented (verify compares the two).
/// </summary>
public static class StoredSeal
{
    /// <summary>The seal record, or null when the bundle has none or it cannot be read (verify then says so).</summary>
    public static async Task<SealRecord?> ReadAsync(IEvidenceReader store, BundleId id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var content = await store.OpenBundleAsync(id, cancellationToken);
        await using var bundle = await SpooledBundle.CopyAsync(content, null, cancellationToken);
        try
        {
            using var zip = bundle.OpenZip();
            if (zip.GetEntry(BundleLayout.Entries.SealRecord) is not { } entry
                || await EntryDigest.ReadSmallAsync(entry, EntryLimits.MaxSealBytes, cancellationToken) is not { } bytes)
            {
                return null;
            }

            return EvidenceJson.Deserialize<SealRecord>(bytes);
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException)
        {
            return null;
        }
    }
}
