using System.Globalization;
using System.Text;

namespace ReverseShellFunction.Text;

/// <summary>
/// Text from a finding, a log entry or a stored object is attacker-influenced. Wherever a person reads it
/// (terminal, console log line, summary.md, summary.html) it goes through <see cref="Visible"/>: control
/// characters (Cc), format and bidi characters (Cf, such as U+202E RIGHT-TO-LEFT OVERRIDE), line and
/// paragraph separators (Zl, Zp) and unpaired surrogates are shown as <c>\uXXXX</c>, so
/// <c>/bin/\u202eexe.hs</c> can never look like <c>/bin/sh.exe</c> and ESC cannot drive a terminal.
/// One home for the rule: every renderer and every message calls this. Messages (errors, audit problems, console
/// lines) keep the default length; a renderer that shows more passes its own.
/// </summary>
public static class DisplayText
{
    /// <summary>Shows <paramref name="text"/> with every unsafe character escaped, cut to <paramref name="maxLength"/> characters of input.</summary>
    public static string Visible(string? text, int maxLength = 300)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        var length = Math.Min(text.Length, maxLength);

        // Made at the first character to escape: text with nothing to escape comes back as it is, uncopied.
        StringBuilder? escaped = null;
        var i = 0;
        for (; i < length; i++)
        {
            var c = text[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);

            // Supplementary format characters (tags, U+E0001…) hide text as well.
            if (pair ? CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, text[i + 1])) == UnicodeCategory.Format : IsUnsafe(c))
            {
                escaped ??= new StringBuilder(length + 16).Append(text, 0, i);
                if (pair)
                {
                    escaped.Append(CultureInfo.InvariantCulture, $"\\u{c:x4}\\u{text[i + 1]:x4}");
                }
                else
                {
                    escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                }
            }
            else
            {
                escaped?.Append(text, i, pair ? 2 : 1);
            }

            i += pair ? 1 : 0;
        }

        if (length == text.Length)
        {
            return escaped?.ToString() ?? text;
        }

        return (escaped ?? new StringBuilder(i + 1).Append(text, 0, i)).Append('…').ToString();
    }

    private static bool IsUnsafe(char c) =>
        char.IsSurrogate(c) // only unpaired ones reach here
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Control
            or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator;
}
