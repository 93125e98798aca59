using System.Text;
using System.Text.RegularExpressions;

namespace ReverseShellFunction.Cli;

/// <summary>
/// Wraps terminal text to a width at word boundaries. A "  Label:   value" line continues under its value; a
/// word too long for that (a SHA-256, a bundle id) moves to a line of its own with less indent instead of being
/// cut, and only a word longer than the whole width (an image URL) is broken, after a '/', ':', '@' or '-' when it
/// has one. So an id or a hash is never split at any width from <see cref="WidthOptions.Minimum"/> up.
/// </summary>
internal static partial class TextWrap
{
    /// <summary>The text wrapped to <paramref name="width"/>, or as it is when null (<c>--wide</c>).</summary>
    public static string Fit(string text, int? width) => width is { } columns ? Wrap(text, columns) : text;

    public static string Wrap(string text, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 20);
        var result = new StringBuilder(text.Length + 64);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (i == lines.Length - 1 && line.Length == 0)
            {
                break;
            }

            WrapLine(result, line, width);
        }

        return result.ToString();
    }

    private static void WrapLine(StringBuilder result, string line, int width)
    {
        if (line.Length <= width)
        {
            result.Append(line).Append('\n');
            return;
        }

        var lead = line.Length - line.TrimStart(' ').Length;
        var label = Label().Match(line);
        var labelled = label.Success && label.Length <= width / 2;
        var hang = labelled ? label.Length : Math.Min(lead + 2, width / 2);
        var current = new StringBuilder(line[..(labelled ? label.Length : lead)]);
        void Flush()
        {
            if (current.ToString().Trim().Length > 0)
            {
                result.Append(current.ToString().TrimEnd()).Append('\n');
            }

            current.Clear();
        }

        // The indent a word gets on a line of its own: under the value, else less, before it is ever cut.
        int Indent(int length) => length <= width - hang ? hang : length <= width - 4 ? 4 : length <= width ? 0 : 4;

        // What of a word goes on the next line: all of it, or its first piece when it is cut.
        int Piece(string word) => word.Length <= width ? word.Length : SeparatorCut(word, width) is > 0 and var cut ? cut : width;

        foreach (Match match in Word().Matches(line[current.Length..]))
        {
            var word = match.Value;
            var separator = current.Length == 0 || current[^1] == ' ' ? "" : " ";
            if (current.Length + separator.Length + word.Length <= width)
            {
                current.Append(separator).Append(word);
                continue;
            }

            if (word.Length <= width)
            {
                Flush();
                current.Append(' ', Indent(word.Length)).Append(word);
                continue;
            }

            // Longer than any line: cut after a '/', '@', ':' or ',' (before a '.', after a '-'), the first piece on this line.
            var rest = word;
            while (current.Length + separator.Length + rest.Length > width)
            {
                var room = width - current.Length - separator.Length;
                var cut = SeparatorCut(rest, room);
                if (cut <= 0 && current.ToString().Trim().Length > 0)
                {
                    Flush();
                    current.Append(' ', Indent(Piece(rest)));
                    separator = "";
                    continue;
                }

                cut = cut > 0 ? cut : room;
                current.Append(separator).Append(rest.AsSpan(0, cut));
                rest = rest[cut..];
                Flush();
                current.Append(' ', Indent(Piece(rest)));
                separator = "";
            }

            current.Append(separator).Append(rest);
        }

        Flush();
    }

    /// <summary>Where to cut <paramref name="word"/> within <paramref name="room"/>: after the last '/', else '@', ':' or ',', else before a '.', else after a '-'; 0 for none.</summary>
    private static int SeparatorCut(string word, int room)
    {
        if (room <= 0)
        {
            return 0;
        }

        var span = word.AsSpan(0, Math.Min(room, word.Length));
        foreach (var after in new[] { "/", "@:,", })
        {
            if (span.LastIndexOfAny(after) is >= 0 and var i && i + 1 < word.Length)
            {
                return i + 1;
            }
        }

        // Before a '.': the piece may end right at the room ("ID" of "ID.zip").
        if (word.AsSpan(0, Math.Min(room + 1, word.Length)).LastIndexOf('.') is > 0 and var dot)
        {
            return dot;
        }

        return span.LastIndexOf('-') is >= 0 and var dash && dash + 1 < word.Length ? dash + 1 : 0;
    }

    // show's "  Label:" lines (two spaces in), padded with spaces up to the value.
    [GeneratedRegex(@"^  [^ :][^:]{0,40}: +(?=\S)", RegexOptions.CultureInvariant)]
    private static partial Regex Label();

    [GeneratedRegex(@"(?<word>\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
