using System.Globalization;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Delivery;

namespace ReverseShellFunction.Report;

/// <summary>
/// What the summary's timeline figure draws: the event, related findings by category, container-log entries per
/// minute, audit events and the collection moments. Bounded: points are capped, log entries are counted, not kept.
/// Labels are raw text from the evidence; the renderers escape them.
/// </summary>
public sealed record EvidenceTimeline
{
    public required DateTimeOffset EventTime { get; init; }
    public IReadOnlyList<TimelinePoint> RelatedFindings { get; init; } = [];
    public IReadOnlyList<MinuteCount> ContainerEntriesPerMinute { get; init; } = [];
    public IReadOnlyList<TimelinePoint> AuditEvents { get; init; } = [];
    public IReadOnlyList<TimelinePoint> CollectionMoments { get; init; } = [];

    /// <summary>
    /// The time range the audit-logs collector read in this part (null when it did not run here): the figure's
    /// audit strip is drawn over exactly this range, so its caption and its axis name the same window.
    /// </summary>
    public Window? AuditWindow { get; init; }
}

/// <summary>One dot on the figure: a time, the group it belongs to (a category, a method) and a label.</summary>
public sealed record TimelinePoint(DateTimeOffset Time, string Group, string Label);

/// <summary>Container-log entries whose timestamp falls in the minute starting at <see cref="Minute"/>.</summary>
public sealed record MinuteCount(DateTimeOffset Minute, int Count);

/// <summary>Times read from evidence (strict RFC 3339, <see cref="Rfc3339"/>) and written into it.</summary>
public static class EvidenceTime
{
    public static DateTimeOffset? TryParse(string? text) => Rfc3339.TryParse(text, out var time) ? time : null;

    /// <summary>ISO 8601 in UTC with milliseconds, the form every file of the bundle uses.</summary>
    public static string Format(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
