using System.Globalization;

namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// A resumable upload's <c>Content-Range</c>: <c>bytes a-b/total</c> or <c>bytes a-b/*</c> for data,
/// <c>bytes */total</c> or <c>bytes */*</c> for a status query (then <see cref="First"/> is null).
/// </summary>
internal sealed record FakeContentRange(long? First, long? Last, long? Total)
{
    public bool IsQuery => First is null;

    public static bool TryParse(string? header, out FakeContentRange range)
    {
        range = new FakeContentRange(null, null, null);
        if (header is null || !header.StartsWith("bytes ", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = header["bytes ".Length..].Split('/');
        if (parts.Length != 2 || !TryNumberOrStar(parts[1], out var total))
        {
            return false;
        }

        if (parts[0] == "*")
        {
            range = new FakeContentRange(null, null, total);
            return true;
        }

        var bounds = parts[0].Split('-');
        if (bounds.Length != 2 || !TryNumber(bounds[0], out var first) || !TryNumber(bounds[1], out var last) || last < first)
        {
            return false;
        }

        range = new FakeContentRange(first, last, total);
        return true;
    }

    private static bool TryNumberOrStar(string text, out long? value)
    {
        value = null;
        if (text == "*")
        {
            return true;
        }

        var ok = TryNumber(text, out var number);
        value = number;
        return ok;
    }

    private static bool TryNumber(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
