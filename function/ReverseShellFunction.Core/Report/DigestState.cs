using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Report;

/// <summary>
/// What <see cref="EvidenceDigest"/> counts in its one pass: related findings by category, container-log entries
/// per revision and per minute, the figure's points, the last change. Bounded, so hostile evidence cannot grow it.
/// </summary>
internal sealed class DigestState(DateTimeOffset eventTime)
{
    /// <summary>Log entries this close to the event name the revision that was running when the shell started.</summary>
    public static readonly TimeSpan RevisionWindow = TimeSpan.FromMinutes(5);
    private const int MaxPoints = 1000;

    public DateTimeOffset EventTime { get; } = eventTime;
    public Dictionary<string, RelatedGroup> Related { get; } = new(StringComparer.Ordinal);

    /// <summary>Each revision in the container logs, with how many of its entries lie within <see cref="RevisionWindow"/> of the event.</summary>
    public Dictionary<string, int> Revisions { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<DateTimeOffset, int> PerMinute { get; } = [];
    public List<TimelinePoint> RelatedPoints { get; } = [];
    public List<TimelinePoint> AuditPoints { get; } = [];
    public List<TimelinePoint> CollectionPoints { get; } = [];
    public WorkloadChange? LastChange { get; set; }
    public int AuditCount { get; set; }
    public long UnreadableLines { get; set; }

    public void AddRelated(string category, string? severity, DateTimeOffset? time)
    {
        // Bounded: a hostile result set cannot make the summary list thousands of categories.
        if (!Related.TryGetValue(category, out var group))
        {
            if (Related.Count >= 100)
            {
                return;
            }

            group = Related[category] = new RelatedGroup();
        }

        group.Count++;
        if (severity is not null && group.Severities.Count < 8)
        {
            group.Severities.Add(severity);
        }

        if (time is { } t)
        {
            group.First = group.First is { } f && f <= t ? f : t;
            group.Last = group.Last is { } l && l >= t ? l : t;
        }
    }

    public void CountRevision(string revision, DateTimeOffset time)
    {
        if (Revisions.Count >= 100 && !Revisions.ContainsKey(revision))
        {
            return;
        }

        Revisions[revision] = Revisions.GetValueOrDefault(revision) + ((time - EventTime).Duration() <= RevisionWindow ? 1 : 0);
    }

    public static void AddPoint(List<TimelinePoint> points, TimelinePoint point)
    {
        if (points.Count < MaxPoints)
        {
            points.Add(point);
        }
    }

    public List<RelatedFindingGroup> Groups() =>
        [.. Related
            .OrderByDescending(g => g.Value.Count)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new RelatedFindingGroup(
                g.Key,
                g.Value.Count,
                g.Value.First is { } first ? (long)Math.Round((first - EventTime).TotalSeconds) : null,
                g.Value.Last is { } last ? (long)Math.Round((last - EventTime).TotalSeconds) : null,
                [.. g.Value.Severities.Order(StringComparer.Ordinal)]))];

    internal sealed class RelatedGroup
    {
        public int Count { get; set; }
        public DateTimeOffset? First { get; set; }
        public DateTimeOffset? Last { get; set; }
        public HashSet<string> Severities { get; } = new(StringComparer.Ordinal);
    }
}
