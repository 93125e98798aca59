using System.Globalization;
using System.Text.RegularExpressions;

namespace ReverseShellFunction.Delivery;

/// <summary>
/// RFC 3339 date-times only (<c>2026-11-28T21:14:07.482Z</c>, <c>…+01:00</c>): a date, a time and an offset,
/// always. Looser forms (a time alone, a date alone, locale formats) would be completed from the local clock,
/// so the same finding could name a different bundle on another day.
/// </summary>
public static partial class Rfc3339
{
    public static bool TryParse(string? text, out DateTimeOffset time)
    {
        time = default;
        if (text is null || text.Length > 40)
        {
            return false;
        }

        var match = Shape().Match(text);
        if (!match.Success)
        {
            return false;
        }

        // .NET keeps 7 fractional digits; SCC sends up to 9 (nanoseconds). The extra digits are below a tick.
        var fraction = match.Groups["fraction"].Value;
        var normalized = $"{match.Groups["date"].Value}T{match.Groups["time"].Value}{(fraction.Length > 0 ? "." + fraction[..Math.Min(7, fraction.Length)] : "")}{match.Groups["offset"].Value.ToUpperInvariant()}";
        if (!DateTimeOffset.TryParseExact(
            normalized,
            fraction.Length > 0 ? $"yyyy-MM-dd'T'HH:mm:ss.{new string('F', Math.Min(7, fraction.Length))}K" : "yyyy-MM-dd'T'HH:mm:ssK",
            CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal,
            out var parsed))
        {
            return false;
        }

        time = parsed.ToUniversalTime();
        return true;
    }

    [GeneratedRegex(@"^(?<date>\d{4}-\d{2}-\d{2})[Tt](?<time>\d{2}:\d{2}:\d{2})(?:\.(?<fraction>\d{1,9}))?(?<offset>[Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
