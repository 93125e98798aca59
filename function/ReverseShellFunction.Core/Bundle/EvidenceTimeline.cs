using System.Globalization;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// What the summary's timeline figure draws: the event, related findings by category, container-log entries per
/// minute, audit events and the collection moments. Bounded: points are capped, log entries are counted, not kept.
/// Labels are raw text from the evidence; the renderers escape them.
/// </summary>
public sealed record EvidenceTimeline
{
    public required DateTimeOffset EventTime { get; init; }
    public required IReadOnlyList<TimelinePoint> RelatedFindings { get; init; }
    public required IReadOnlyList<MinuteCount> ContainerEntriesPerMinute { get; init; }
    public required IReadOnlyList<TimelinePoint> AuditEvents { get; init; }
    public required IReadOnlyList<TimelinePoint> CollectionMoments { get; init; }

    public static EvidenceTimeline Empty(DateTimeOffset eventTime) => new()
    {
        EventTime = eventTime,
        RelatedFindings = [],
        ContainerEntriesPerMinute = [],
        AuditEvents = [],
        CollectionMoments = [],
    };
}

/// <summary>One dot on the figure: a time, the group it belongs to (a category, a method) and a label.</summary>
public sealed record TimelinePoint(DateTimeOffset Time, string Group, string Label);

/// <summary>Container-log entries whose timestamp falls in the minute starting at <see cref="Minute"/>.</summary>
public sealed record MinuteCount(DateTimeOffset Minute, int Count);

/// <summary>RFC 3339 times as Google's APIs write them, with up to nine fractional digits (.NET reads seven).</summary>
public static class Rfc3339
{
    public static DateTimeOffset? TryParse(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 64)
        {
            return null;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
    }

    /// <summary>ISO 8601 in UTC with milliseconds, the form every file of the bundle uses.</summary>
    public static string Format(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
