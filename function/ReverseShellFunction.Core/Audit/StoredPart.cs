using System.IO.Compression;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Audit;

/// <summary>
/// One stored part, downloaded (or opened in place) once: its size and SHA-256, and its summary, manifest, seal
/// record or any other entry when asked, the JSON ones through <see cref="StoredShape"/>'s check. Crash repair,
/// the completion's read of the notification and verify all open a part through it.
/// </summary>
public sealed class StoredPart : IAsyncDisposable
{
    private readonly Stream _content;
    private ZipArchive? _zip;

    private StoredPart(BundleId id, Stream content, SpooledBundle spool)
    {
        Id = id;
        _content = content;
        Spool = spool;
    }

    public BundleId Id { get; }

    /// <summary>The part's bytes with random access, for the audit's checks of every entry.</summary>
    public SpooledBundle Spool { get; }

    public long Size => Spool.Size;

    /// <param name="progress">Receives the number of bytes copied or hashed so far.</param>
    /// <exception cref="EvidenceNotFoundException">The store holds no such part.</exception>
    public static async Task<StoredPart> OpenAsync(IEvidenceReader store, BundleId id, Action<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(id);
        var content = await store.OpenBundleAsync(id, cancellationToken);
        try
        {
            return new StoredPart(id, content, await SpooledBundle.OpenAsync(content, progress, cancellationToken));
        }
        catch
        {
            await content.DisposeAsync();
            throw;
        }
    }

    /// <summary>Lower-case hex SHA-256 of every byte of the part.</summary>
    public Task<string> Sha256Async() => Spool.Sha256Async();

    /// <exception cref="InvalidDataException">Not a zip, no summary.json, or not a summary.</exception>
    public async Task<EvidenceSummary> ReadSummaryAsync(CancellationToken cancellationToken) =>
        StoredShape.Read<EvidenceSummary>(await ReadEntryAsync(BundleLayout.Entries.Summary, EntryLimits.MaxJsonBytes, cancellationToken), BundleLayout.Entries.Summary);

    /// <summary>The manifest, which holds the link to the previous part.</summary>
    /// <exception cref="InvalidDataException">Not a zip, no manifest.json, or not a manifest.</exception>
    public async Task<Manifest> ReadManifestAsync(CancellationToken cancellationToken) =>
        StoredShape.Read<Manifest>(await ReadEntryAsync(BundleLayout.Entries.Manifest, EntryLimits.MaxJsonBytes, cancellationToken), BundleLayout.Entries.Manifest);

    /// <summary>
    /// The seal record, or null when the part has none or it cannot be read (verify then says so), so an index entry
    /// written after a crash carries the same seal as the one the crash prevented.
    /// </summary>
    public async Task<SealRecord?> ReadSealAsync(CancellationToken cancellationToken)
    {
        try
        {
            return Zip().GetEntry(BundleLayout.Entries.SealRecord) is { } entry
                && await EntryDigest.ReadSmallAsync(entry, EntryLimits.MaxSealBytes, cancellationToken) is { } bytes
                ? EvidenceJson.Deserialize<SealRecord>(bytes)
                : null;
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException)
        {
            return null;
        }
    }

    /// <summary>One entry, whole.</summary>
    /// <exception cref="InvalidDataException">Not a zip, no such entry, or larger than <paramref name="maxBytes"/>.</exception>
    public async Task<byte[]> ReadEntryAsync(string name, int maxBytes, CancellationToken cancellationToken)
    {
        var entry = Zip().GetEntry(name) ?? throw new InvalidDataException($"The part has no {name}.");
        return await EntryDigest.ReadSmallAsync(entry, maxBytes, cancellationToken)
            ?? throw new InvalidDataException($"{name} is larger than {maxBytes} bytes.");
    }

    /// <summary>
    /// One entry, read only when the part's bytes hash to <paramref name="expectedSha256"/> (its index entry's
    /// record): a completion never collects on the strength of altered evidence.
    /// </summary>
    /// <exception cref="InvalidDataException">The part differs from its record, is not a zip, or lacks the entry.</exception>
    public async Task<byte[]> ReadEntryAsync(string name, string expectedSha256, int maxBytes, CancellationToken cancellationToken)
    {
        var sha256 = await Sha256Async();
        if (!string.Equals(sha256, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"The part hashes to {sha256}, its index entry records {expectedSha256}.");
        }

        return await ReadEntryAsync(name, maxBytes, cancellationToken);
    }

    private ZipArchive Zip() => _zip ??= Spool.OpenZip();

    public async ValueTask DisposeAsync()
    {
        _zip?.Dispose();
        await Spool.DisposeAsync();
        await _content.DisposeAsync();
    }
}
