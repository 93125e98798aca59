using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Cli;

/// <summary><c>--since</c> and <c>--until</c> on the event time, shared by <c>list</c> and <c>verify</c>.</summary>
internal sealed partial class TimeRangeOptions
{
    public Option<string?> Since { get; } = new("--since")
    {
        Description = "Only events at or after this time: RFC 3339, a date, or a duration back from now (24h, 7d)",
    };

    public Option<string?> Until { get; } = new("--until")
    {
        Description = "Only events at or before this time: RFC 3339, a date (the whole day), or a duration back from now",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public TimeRangeOptions(Command command)
    {
        command.Options.Add(Since);
        command.Options.Add(Until);
    }

    public bool IsGiven(ParseResult parse) => parse.GetValue(Since) is not null || parse.GetValue(Until) is not null;

    public EventTimeRange Range(ParseResult parse, DateTimeOffset now)
    {
        var since = parse.GetValue(Since) is { } s ? Parse("--since", s, now, endOfDay: false) : (DateTimeOffset?)null;
        var until = parse.GetValue(Until) is { } u ? Parse("--until", u, now, endOfDay: true) : (DateTimeOffset?)null;
        if (since > until)
        {
            throw new UsageException($"--since ({since:u}) is after --until ({until:u}).");
        }

        return new EventTimeRange(since, until);
    }

    /// <summary>
    /// Reads <c>--since</c> and <c>--until</c>: an RFC 3339 time (no offset means UTC), a date (the whole UTC day:
    /// <c>--until 2026-11-28</c> includes that day), or a duration back from now such as <c>30m</c>, <c>24h</c>, <c>7d</c>, <c>2w</c>.
    /// </summary>
    internal static DateTimeOffset Parse(string option, string text, DateTimeOffset now, bool endOfDay)
    {
        var trimmed = text.Trim();
        var relative = Relative().Match(trimmed);
        if (relative.Success && long.TryParse(relative.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            var unit = relative.Groups["unit"].Value switch
            {
                "s" => TimeSpan.FromSeconds(1),
                "m" => TimeSpan.FromMinutes(1),
                "h" => TimeSpan.FromHours(1),
                "d" => TimeSpan.FromDays(1),
                _ => TimeSpan.FromDays(7),
            };
            // Far back is the start of time, not an overflow.
            var back = unit * count;
            return now.ToUniversalTime() - DateTimeOffset.MinValue < back ? DateTimeOffset.MinValue : now.ToUniversalTime() - back;
        }

        if (DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? new DateTimeOffset(day.ToDateTime(TimeOnly.MaxValue), TimeSpan.Zero) : start;
        }

        if (trimmed.Length >= 16 && char.IsAsciiDigit(trimmed[0])
            && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        throw new UsageException(
            $"{option} '{DisplayText.Visible(text, 60)}' is not a time: give RFC 3339 (2026-11-28T21:14:07Z), a date (2026-11-28) or a duration back from now (30m, 24h, 7d, 2w).");
    }

    // Up to a few thousand years of seconds: enough, and short of overflowing TimeSpan.
    [GeneratedRegex(@"^(?<n>\d{1,6})(?<unit>[smhdw])$", RegexOptions.CultureInvariant)]
    private static partial Regex Relative();
}
