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
        var (found, unexpected) = await ListAsync(store.ListIndexObjectNamesAsync(cancellationToken), name => name, BundleLayout.IndexPrefix, range);
        return ([.. found.Select(f => f.Id).OrderBy(id => id.EventTime).ThenBy(id => id.Value, StringComparer.Ordinal)], unexpected);
    }

    /// <summary>Bundle objects in range by id, and bundle object names that name no bundle.</summary>
    public static async Task<(IReadOnlyDictionary<BundleId, StoredObject> Bundles, IReadOnlyList<string> Unexpected)> ListBundlesAsync(
        IEvidenceReader store, EventTimeRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var (found, unexpected) = await ListAsync(store.ListBundleObjectsAsync(cancellationToken), stored => stored.Name, BundleLayout.BundlesPrefix, range);
        var bundles = new Dictionary<BundleId, StoredObject>();
        foreach (var (id, stored) in found)
        {
            bundles[id] = stored;
        }

        return (bundles, unexpected);
    }

    /// <summary>The listed objects whose names name a bundle in range, with its id, and the names that name no bundle.</summary>
    private static async Task<(List<(BundleId Id, T Item)> Found, List<string> Unexpected)> ListAsync<T>(
        IAsyncEnumerable<T> listing, Func<T, string> nameOf, string prefix, EventTimeRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var found = new List<(BundleId, T)>();
        var unexpected = new List<string>();
        await foreach (var item in listing)
        {
            // The day folder comes first: a day out of range is skipped before the id is even parsed.
            var name = nameOf(item);
            if (DayOf(name, prefix) is { } day && !range.MayContainDay(day))
            {
                continue;
            }

            if (BundleLayout.IdFromObjectName(name) is not { } id)
            {
                unexpected.Add(name);
            }
            else if (range.Contains(id.EventTime))
            {
                found.Add((id, item));
            }
        }

        return (found, unexpected);
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
