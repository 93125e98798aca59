using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// An index entry as read from the store: typed, plus its JSON as stored, for output and comparison. The one reader
/// of stored index entries (the pipeline, the completion and the audit), with <see cref="StoredShape"/>'s strict check.
/// </summary>
public sealed record StoredIndexEntry(BundleId Id, IndexEntry Entry, JsonElement Json)
{
    public string ObjectName => BundleLayout.IndexObject(Id);

    /// <summary>A part's entry names its part (entries from before parts existed: part 1).</summary>
    public int Part => Entry.Part ?? 1;

    /// <exception cref="UnreadableObjectException">The bytes are not an index entry (invalid JSON, a required member missing or null).</exception>
    public static StoredIndexEntry Parse(BundleId id, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            var entry = StoredShape.Read<IndexEntry>(bytes, "The index entry");
            using var document = JsonDocument.Parse(bytes);
            return new StoredIndexEntry(id, entry, document.RootElement.Clone());
        }
        catch (InvalidDataException ex)
        {
            throw new UnreadableObjectException("index entry", BundleLayout.IndexObject(id), ex.Message, ex);
        }
        catch (JsonException ex)
        {
            throw new UnreadableObjectException("index entry", BundleLayout.IndexObject(id), $"Not a readable index entry: {DisplayText.Visible(ex.Message)}", ex);
        }
    }

    /// <summary>Reads an entry; null when there is none.</summary>
    /// <exception cref="UnreadableObjectException">The object is not an index entry.</exception>
    public static async Task<StoredIndexEntry?> ReadAsync(IEvidenceReader store, BundleId id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return await store.ReadIndexEntryAsync(id, cancellationToken) is { } bytes ? Parse(id, bytes) : null;
    }
}
