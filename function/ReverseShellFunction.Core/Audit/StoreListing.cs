using System.Globalization;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Audit;

/// <summary>
/// What the store holds, by object name alone. Names carry the event day and the id carries the event time,
/// so a time range is applied without reading a single object; names that name no bundle are kept apart.
/// </summary>
public static class StoreListing
{
    /// <summary>Bundle ids with an index entry in range, oldest first, and index object names that name no bundle.</summary>
    public static async Task<(IReadOnlyList<BundleId> Ids, IReadOnlyList<string> Unexpected)> ListIndexAsync(
        IEvidenceReader store, EventTimeRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(range);
        var ids = new List<BundleId>();
        var unexpected = new List<string>();
        await foreach (var name in store.ListIndexObjectNamesAsync(cancellationToken))
        {
            Classify(name, BundleLayout.IndexPrefix, range, ids, unexpected);
        }

        return ([.. ids.OrderBy(id => id.EventTime).ThenBy(id => id.Value, StringComparer.Ordinal)], unexpected);
    }

    /// <summary>Bundle objects in range by id, and bundle object names that name no bundle.</summary>
    public static async Task<(IReadOnlyDictionary<BundleId, StoredObject> Bundles, IReadOnlyList<string> Unexpected)> ListBundlesAsync(
        IEvidenceReader store, EventTimeRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(range);
        var bundles = new Dictionary<BundleId, StoredObject>();
        var unexpected = new List<string>();
        await foreach (var stored in store.ListBundleObjectsAsync(cancellationToken))
        {
            var ids = new List<BundleId>(1);
            Classify(stored.Name, BundleLayout.BundlesPrefix, range, ids, unexpected);
            if (ids.Count == 1)
            {
                bundles[ids[0]] = stored;
            }
        }

        return (bundles, unexpected);
    }

    private static void Classify(string name, string prefix, EventTimeRange range, List<BundleId> ids, List<string> unexpected)
    {
        // The day folder comes first: a day out of range is skipped before the id is even parsed.
        if (DayOf(name, prefix) is { } day && !range.MayContainDay(day))
        {
            return;
        }

        if (BundleLayout.IdFromObjectName(name) is not { } id)
        {
            unexpected.Add(name);
        }
        else if (range.Contains(id.EventTime))
        {
            ids.Add(id);
        }
    }

    private static DateOnly? DayOf(string name, string prefix)
    {
        // prefix + "yyyy/MM/dd/" + file name
        var start = prefix.Length;
        return name.Length > start + 11 && name[start + 10] == '/'
            && DateOnly.TryParseExact(name.AsSpan(start, 10), "yyyy'/'MM'/'dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                ? day
                : null;
    }
}
