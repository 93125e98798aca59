using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Report;

/// <summary>Hostile text as summary.html and its figure show it: made visible by DisplayText, then HTML-encoded once.</summary>
internal static partial class HtmlText
{
    /// <summary>Hostile text made visible (no control, format or bidi character survives), then HTML-encoded.</summary>
    public static string Encode(string? text) => WebUtility.HtmlEncode(DisplayText.Visible(text, 2000));

    /// <summary>
    /// Text made visible and encoded as <see cref="Encode"/> does, with each hash (16 or more hex digits) kept whole in
    /// a <c>hash</c> span, and in code (paths, image names, ids) a break allowed after each separator, so a narrow
    /// screen breaks <c>checkout-api-00041-kex</c> after a hyphen and never inside a digest.
    /// </summary>
    public static string Inline(string text, bool code)
    {
        var visible = DisplayText.Visible(text, 2000);
        var html = new StringBuilder(visible.Length + 32);
        var at = 0;
        foreach (Match hash in HashPattern().Matches(visible))
        {
            Separated(html, visible.AsSpan(at, hash.Index - at), code);
            html.Append("<span class=\"hash\">").Append(WebUtility.HtmlEncode(hash.Value)).Append("</span>");
            at = hash.Index + hash.Length;
        }

        Separated(html, visible.AsSpan(at), code);
        return html.ToString();
    }

    private static void Separated(StringBuilder html, ReadOnlySpan<char> text, bool code)
    {
        var start = 0;
        for (var i = 0; code && i < text.Length; i++)
        {
            if (text[i] is '/' or '-' or '.' or ':' or '@' or '_' or ',' or '=' or '&' or '?' && i + 1 < text.Length)
            {
                html.Append(WebUtility.HtmlEncode(text[start..(i + 1)].ToString())).Append("<wbr>");
                start = i + 1;
            }
        }

        html.Append(WebUtility.HtmlEncode(text[start..].ToString()));
    }

    [GeneratedRegex("(?<![0-9A-Za-z])[0-9A-Fa-f]{16,}(?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex HashPattern();
}
