using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>An index entry as read from the store: typed, plus its JSON as stored, for output and comparison.</summary>
public sealed record StoredIndexEntry(BundleId Id, IndexEntry Entry, JsonElement Json)
{
    public string ObjectName => BundleLayout.IndexObject(Id);

    /// <summary>A part's entry names its part (entries from before parts existed: part 1).</summary>
    public int Part => Entry.Part ?? 1;

    /// <exception cref="InvalidDataException">The bytes are not an index entry.</exception>
    public static StoredIndexEntry Parse(BundleId id, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(bytes);
        var entry = StoredShape.Read<IndexEntry>(bytes, "The index entry");
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return new StoredIndexEntry(id, entry, document.RootElement.Clone());
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Not a readable index entry: {DisplayText.Visible(ex.Message)}", ex);
        }
    }

    /// <summary>Reads an entry; null when there is none.</summary>
    /// <exception cref="InvalidDataException">The object is not an index entry.</exception>
    public static async Task<StoredIndexEntry?> ReadAsync(IEvidenceReader store, BundleId id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return await store.ReadIndexEntryAsync(id, cancellationToken) is { } bytes ? Parse(id, bytes) : null;
    }
}
