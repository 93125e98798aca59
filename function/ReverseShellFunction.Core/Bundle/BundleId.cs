using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// The id of one finding event's bundle: <c>{eventTime:yyyyMMddTHHmmssfffZ}-{findingId}-{hash16}</c>.
/// It is built only from characters safe in an object name and a file name, whatever the finding holds:
/// the finding id is reduced to [A-Za-z0-9] and 40 characters, and the hash of the full finding name and
/// event time keeps ids of different events apart. It starts with the event time so ids sort in time order.
/// </summary>
public sealed partial record BundleId
{
    private const int MaxSlugLength = 40;

    private BundleId(string value, DateTimeOffset eventTime)
    {
        Value = value;
        EventTime = eventTime;
    }

    public string Value { get; }

    /// <summary>The event time to the millisecond, as encoded in the id.</summary>
    public DateTimeOffset EventTime { get; }

    public static BundleId For(string findingName, DateTimeOffset eventTime)
    {
        ArgumentNullException.ThrowIfNull(findingName);
        var utc = eventTime.ToUniversalTime();
        var slug = Slug(findingName[(findingName.LastIndexOf('/') + 1)..]);

        // Full precision (ticks) goes into the hash, so two updates a fraction of a millisecond apart differ.
        var identity = $"{findingName}\n{utc.UtcTicks.ToString(CultureInfo.InvariantCulture)}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
        return new BundleId($"{utc.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}-{slug}-{hash}", Truncate(utc));
    }

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out BundleId? id)
    {
        id = null;
        if (text is null || text.Length > 80)
        {
            return false;
        }

        var match = Shape().Match(text);
        if (!match.Success
            || !DateTimeOffset.TryParseExact(
                match.Groups["time"].Value,
                "yyyyMMdd'T'HHmmssfff'Z'",
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                out var time))
        {
            return false;
        }

        id = new BundleId(text, time);
        return true;
    }

    public static BundleId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{DisplayText.Visible(text, 100)}' is not a bundle id (expected yyyyMMddTHHmmssfffZ-id-hash).");

    public override string ToString() => Value;

    private static string Slug(string text)
    {
        var builder = new StringBuilder(MaxSlugLength);
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(c);
                if (builder.Length == MaxSlugLength)
                {
                    break;
                }
            }
        }

        return builder.Length == 0 ? "finding" : builder.ToString();
    }

    private static DateTimeOffset Truncate(DateTimeOffset utc) =>
        new(utc.UtcTicks - (utc.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    [GeneratedRegex(@"^(?<time>\d{8}T\d{9}Z)-[A-Za-z0-9]{1,40}-[0-9a-f]{16}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
