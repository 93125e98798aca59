namespace ReverseShellFunction.Collection;

/// <summary>
/// The one rule for a time window a collector reads: half-open, [From, To), so the windows of consecutive parts
/// meet without overlapping and an item exactly at a boundary is read by exactly one part. The range covered sits
/// next to the range configured: they differ when the configured window had not closed at collection time (its
/// end lies after what is readable yet), so a reader sees what is missing rather than trusting the configured window.
/// </summary>
public sealed record Window(DateTimeOffset From, DateTimeOffset To, DateTimeOffset ConfiguredFrom, DateTimeOffset ConfiguredTo)
{
    /// <summary>True when the configured window reaches past what was covered.</summary>
    public bool IsOpen => ConfiguredTo > To;

    public bool Contains(DateTimeOffset time) => time >= From && time < To;

    /// <summary>
    /// What <paramref name="collector"/> reads of the configured window [<paramref name="from"/>, <paramref name="to"/>):
    /// from its resume point when an earlier part already read the start, up to <paramref name="readableUntil"/>.
    /// With <paramref name="wholeMinutes"/> the read is widened to whole minutes (findings on one service in one
    /// minute then ask for the same range and share their reads) and <paramref name="readableUntil"/> is rounded down to one.
    /// </summary>
    public static Window Covered(
        CollectionContext context, string collector, DateTimeOffset from, DateTimeOffset to, DateTimeOffset readableUntil, bool wholeMinutes = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        var start = context.ResumeFrom.TryGetValue(collector, out var resume) && resume > from ? resume : from;
        var (readStart, readEnd, readable) = wholeMinutes ? (Floor(start), Ceiling(to), Floor(readableUntil)) : (start, to, readableUntil);
        return new Window(readStart, readable < readEnd ? readable : readEnd, from, to);
    }

    /// <summary>When a read of the whole configured window can succeed: its end (by the minute) plus the time the source takes to make an item readable.</summary>
    public DateTimeOffset ClosedAfter(TimeSpan ingestionDelay) => Ceiling(ConfiguredTo) + ingestionDelay;

    private static DateTimeOffset Floor(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    private static DateTimeOffset Ceiling(DateTimeOffset time) =>
        time.UtcTicks % TimeSpan.TicksPerMinute == 0 ? time.ToUniversalTime() : Floor(time).AddMinutes(1);
}
