namespace ReverseShellFunction.Audit;

/// <summary>
/// Which event times a listing keeps: from <see cref="Since"/> to <see cref="Until"/>, both inclusive, either open.
/// Bundle ids start with the event time, so a range is applied to object names without reading any object.
/// </summary>
public sealed record EventTimeRange(DateTimeOffset? Since, DateTimeOffset? Until)
{
    public static readonly EventTimeRange All = new(null, null);

    public bool Contains(DateTimeOffset eventTime) =>
        (Since is null || eventTime >= Since) && (Until is null || eventTime <= Until);

    /// <summary>Whether any time of the UTC day can be in range: lets a listing skip whole days by their name.</summary>
    public bool MayContainDay(DateOnly utcDay)
    {
        var start = new DateTimeOffset(utcDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

        // 9999-12-31 is a day a hostile object can be named for; its end is the end of time, not an overflow.
        var end = new DateTimeOffset(utcDay.ToDateTime(TimeOnly.MaxValue), TimeSpan.Zero);
        return (Since is null || end >= Since) && (Until is null || start <= Until);
    }
}
