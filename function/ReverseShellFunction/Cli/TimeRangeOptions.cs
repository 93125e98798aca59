using System.CommandLine;
using ReverseShellFunction.Audit;

namespace ReverseShellFunction.Cli;

/// <summary><c>--since</c> and <c>--until</c> on the event time, shared by <c>list</c> and <c>verify</c>.</summary>
internal sealed class TimeRangeOptions
{
    public Option<string?> Since { get; } = new("--since")
    {
        Description = "Only events at or after this time: RFC 3339, a date, or a duration back from now (24h, 7d)",
    };

    public Option<string?> Until { get; } = new("--until")
    {
        Description = "Only events at or before this time: RFC 3339, a date (the whole day), or a duration back from now",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Since);
        command.Options.Add(Until);
    }

    public bool IsGiven(ParseResult parse) => parse.GetValue(Since) is not null || parse.GetValue(Until) is not null;

    public EventTimeRange Range(ParseResult parse, DateTimeOffset now)
    {
        var since = parse.GetValue(Since) is { } s ? TimeArgument.Parse("--since", s, now, endOfDay: false) : (DateTimeOffset?)null;
        var until = parse.GetValue(Until) is { } u ? TimeArgument.Parse("--until", u, now, endOfDay: true) : (DateTimeOffset?)null;
        if (since > until)
        {
            throw new UsageException($"--since ({since:u}) is after --until ({until:u}).");
        }

        return new EventTimeRange(since, until);
    }
}
