using System.Globalization;
using ReverseShellFunction.Cli;

namespace ReverseShellFunction.Tests.Cli;

public sealed class TimeArgumentTest
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("24h", false, "2026-11-28T12:00:00.0000000Z")]
    [InlineData("7d", false, "2026-11-22T12:00:00.0000000Z")]
    [InlineData("2w", false, "2026-11-15T12:00:00.0000000Z")]
    [InlineData("30m", false, "2026-11-29T11:30:00.0000000Z")]
    [InlineData("2026-11-28", false, "2026-11-28T00:00:00.0000000Z")]
    [InlineData("2026-11-28", true, "2026-11-28T23:59:59.9999999Z")]
    [InlineData("2026-11-28T21:14:07.482Z", false, "2026-11-28T21:14:07.4820000Z")]
    [InlineData("2026-11-28T22:14:07+01:00", true, "2026-11-28T21:14:07.0000000Z")]
    [InlineData("2026-11-28T21:14:07", false, "2026-11-28T21:14:07.0000000Z")]
    public void Parse_AcceptedForms(string text, bool endOfDay, string expected)
    {
        var parsed = TimeRangeOptions.Parse("--since", text, s_now, endOfDay);

        Assert.Equal(expected, parsed.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("7")]
    [InlineData("-7d")]
    [InlineData("7y")]
    [InlineData("9999999d")]
    [InlineData("28/11/2026")]
    [InlineData("2026-13-01")]
    public void Parse_Rejected_IsAUsageErrorNamingTheOption(string text)
    {
        var error = Assert.Throws<UsageException>(() => TimeRangeOptions.Parse("--until", text, s_now, endOfDay: true));

        Assert.StartsWith($"--until '{text}' is not a time", error.Message, StringComparison.Ordinal);
    }
}
