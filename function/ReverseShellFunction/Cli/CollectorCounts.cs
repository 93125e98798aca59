using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Cli;

/// <summary>Collectors' statuses in a few characters for a table cell: "4 ok", "3 ok, 1 failed", "4 ok, 1 not collected", "none".</summary>
internal static class CollectorCounts
{
    private static readonly (CollectorStatus Status, string Name)[] s_order =
    [
        (CollectorStatus.Ok, "ok"),
        (CollectorStatus.Partial, "partial"),
        (CollectorStatus.Failed, "failed"),
        (CollectorStatus.Skipped, Bundle.StateWords.NotCollected),
    ];

    public static string Compact(IEnumerable<CollectorOutcome> collectors)
    {
        var counts = collectors.GroupBy(c => c.Status).ToDictionary(g => g.Key, g => g.Count());
        var parts = s_order.Where(s => counts.ContainsKey(s.Status)).Select(s => $"{counts[s.Status]} {s.Name}").ToList();
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }
}
