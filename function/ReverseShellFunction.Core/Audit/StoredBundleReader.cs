using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Audit;

/// <summary>
/// Reads a stored bundle back for the pipeline (an index entry to complete after a crash): its size, SHA-256 and
/// <c>summary.json</c>, through the same spool and shape checks the audit uses.
/// </summary>
public static class StoredBundleReader
{
    /// <summary>Size, SHA-256, summary.json and manifest.json of a stored part (the manifest holds the link to the previous part).</summary>
    /// <exception cref="InvalidDataException">The part is not a zip with a readable summary.json and manifest.json.</exception>
    public static async Task<(long Size, string Sha256, EvidenceSummary Summary, Manifest Manifest)> ReadPartAsync(Stream bundle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        await using var spool = await SpooledBundle.CopyAsync(bundle, null, cancellationToken);
        using var zip = spool.OpenZip();
        var summary = StoredShape.Read<EvidenceSummary>(await ReadJsonAsync(zip, BundleLayout.Entries.Summary, cancellationToken), BundleLayout.Entries.Summary);
        var manifest = StoredShape.Read<Manifest>(await ReadJsonAsync(zip, BundleLayout.Entries.Manifest, cancellationToken), BundleLayout.Entries.Manifest);
        return (spool.Size, spool.Sha256, summary, manifest);
    }

    private static async Task<byte[]> ReadJsonAsync(System.IO.Compression.ZipArchive zip, string name, CancellationToken cancellationToken)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"The part has no {name}.");
        return await EntryDigest.ReadSmallAsync(entry, BundleInventory.MaxJsonBytes, cancellationToken)
            ?? throw new InvalidDataException($"{name} is larger than {BundleInventory.MaxJsonBytes} bytes.");
    }

    /// <summary>
    /// One entry of a stored part, read only when the part's bytes hash to <paramref name="expectedSha256"/> (its index
    /// entry's record): a completion never collects on the strength of altered evidence.
    /// </summary>
    /// <exception cref="InvalidDataException">The part differs from its record, is not a zip, or lacks the entry.</exception>
    public static async Task<byte[]> ReadEntryAsync(Stream bundle, string entryName, string expectedSha256, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        await using var spool = await SpooledBundle.CopyAsync(bundle, null, cancellationToken);
        if (!string.Equals(spool.Sha256, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"The part hashes to {spool.Sha256}, its index entry records {expectedSha256}.");
        }

        using var zip = spool.OpenZip();
        var entry = zip.GetEntry(entryName) ?? throw new InvalidDataException($"The part has no {entryName}.");
        return await EntryDigest.ReadSmallAsync(entry, maxBytes, cancellationToken)
            ?? throw new InvalidDataException($"{entryName} is larger than {maxBytes} bytes.");
    }
}
