using ReverseShellFunction.Audit;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// Reads a stored bundle back for the pipeline (an index entry to complete after a crash): its size, SHA-256 and
/// <c>summary.json</c>, through the same spool and shape checks the audit uses.
/// </summary>
public static class StoredBundleReader
{
    /// <exception cref="InvalidDataException">The bundle is not a zip with a readable summary.json.</exception>
    public static async Task<(long Size, string Sha256, EvidenceSummary Summary)> ReadAsync(Stream bundle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        await using var spool = await SpooledBundle.CopyAsync(bundle, null, cancellationToken);
        using var zip = spool.OpenZip();
        var entry = zip.GetEntry(EvidenceSummary.FileName)
            ?? throw new InvalidDataException($"The bundle has no {EvidenceSummary.FileName}.");
        var bytes = await EntryDigest.ReadSmallAsync(entry, BundleInventory.MaxJsonBytes, cancellationToken)
            ?? throw new InvalidDataException($"{EvidenceSummary.FileName} is larger than {BundleInventory.MaxJsonBytes} bytes.");
        return (spool.Size, spool.Sha256, StoredShape.Read<EvidenceSummary>(bytes, EvidenceSummary.FileName));
    }
}
