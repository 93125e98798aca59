using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Audit;

/// <summary>
/// One finding event's bundle as readers see it: its parts' index entries in order, and where it stands (the
/// newest part's completion). The one reader every command uses to go from a bundle id to its parts.
/// </summary>
public sealed record LogicalBundle(BundleId Id, IReadOnlyList<StoredIndexEntry> Parts)
{
    public StoredIndexEntry First => Parts[0];

    public StoredIndexEntry Latest => Parts[^1];

    /// <summary>The newest part's completion; entries from before parts existed count as complete.</summary>
    public CompletionState Completion => Latest.Entry.Summary.Completion ?? new CompletionState { State = Completeness.Complete, Part = Latest.Id.Part };

    public Completeness State => Completion.State;

    /// <summary>"complete", "pending" or "incomplete", as in JSON.</summary>
    public string StateName => JsonSerializer.Serialize(State, EvidenceJson.Options).Trim('"');

    /// <summary>Groups listed part ids by bundle, each bundle's parts in order; bundles in the listing's order.</summary>
    public static IReadOnlyList<(BundleId Bundle, IReadOnlyList<BundleId> Parts)> Group(IEnumerable<BundleId> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return [.. ids.GroupBy(id => id.Bundle).Select(g => (g.Key, (IReadOnlyList<BundleId>)[.. g.OrderBy(id => id.Part)]))];
    }

    /// <summary>
    /// Reads the parts' index entries along <see cref="PartWalk"/>. Null when part 1 has no index entry.
    /// </summary>
    /// <exception cref="UnreadableObjectException">An index entry is not one; the message names its object.</exception>
    public static async Task<LogicalBundle?> ReadAsync(IEvidenceReader store, BundleId id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(id);
        var parts = new List<StoredIndexEntry>();
        await foreach (var (_, entry) in PartWalk.ReadAsync(id, (partId, ct) => StoredIndexEntry.ReadAsync(store, partId, ct), cancellationToken))
        {
            parts.Add(entry);
        }

        return parts.Count == 0 ? null : new LogicalBundle(id.Bundle, parts);
    }
}
