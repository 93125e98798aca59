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
/// <remarks>
/// A bundle is stored in one or more immutable parts (collection at delivery, then completion). <see cref="Value"/>
/// is the logical bundle's id, the same for every part; <see cref="Part"/> says which part this id addresses, and
/// <see cref="ObjectStem"/> is the part's name in the store (see Store/BundleLayout.cs). Two ids are equal only when
/// bundle and part are.
/// </remarks>
public sealed partial record BundleId
{
    private const int MaxSlugLength = 40;

    /// <summary>Parts are numbered from 1; a bundle never needs more than a few (one per completion moment).</summary>
    public const int MaxPart = 999;

    private BundleId(string value, DateTimeOffset eventTime, int part = 1)
    {
        Value = value;
        EventTime = eventTime;
        Part = part;
    }

    /// <summary>The logical bundle's id, shared by all its parts.</summary>
    public string Value { get; }

    /// <summary>Which part this id addresses: 1 is the part collected at delivery.</summary>
    public int Part { get; }

    /// <summary>The part's name in the store, without folder or extension: the id for part 1, <c>{id}.part-{n}</c> after.</summary>
    public string ObjectStem => Part == 1 ? Value : $"{Value}{BundleLayout.PartSeparator}{Part.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Part 1 of this bundle: the logical bundle as a listing groups it.</summary>
    public BundleId Bundle => Part == 1 ? this : new BundleId(Value, EventTime);

    /// <summary>The same bundle's part <paramref name="part"/>.</summary>
    public BundleId WithPart(int part)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(part, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(part, MaxPart);
        return part == Part ? this : new BundleId(Value, EventTime, part);
    }

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

    /// <summary>Parses a logical bundle id (part 1).</summary>
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

    /// <summary>Parses a part's object stem: <c>{id}</c> or <c>{id}.part-{n}</c> with n from 2 (no leading zero).</summary>
    public static bool TryParseStem([NotNullWhen(true)] string? stem, [NotNullWhen(true)] out BundleId? id)
    {
        id = null;
        if (stem is null)
        {
            return false;
        }

        var separator = stem.IndexOf(BundleLayout.PartSeparator, StringComparison.Ordinal);
        if (separator < 0)
        {
            return TryParse(stem, out id);
        }

        var number = stem.AsSpan(separator + BundleLayout.PartSeparator.Length);
        if (number.Length is 0 or > 3 || number[0] == '0' || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var part)
            || part < 2 || !TryParse(stem[..separator], out var bundle))
        {
            return false;
        }

        id = bundle.WithPart(part);
        return true;
    }

    public static BundleId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{DisplayText.Visible(text, 100)}' is not a bundle id (expected yyyyMMddTHHmmssfffZ-id-hash).");

    public override string ToString() => ObjectStem;

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
