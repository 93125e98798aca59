using System.Net;
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
    public static string Inline(string text, bool code) =>
        // Split with the hash captured: the hashes stand at the odd places, the text between them at the even ones.
        string.Concat(HashPattern().Split(DisplayText.Visible(text, 2000)).Select((piece, i) => i % 2 == 1
            ? $"<span class=\"hash\">{WebUtility.HtmlEncode(piece)}</span>"
            : string.Join("<wbr>", (code ? AfterSeparator().Split(piece) : [piece]).Select(WebUtility.HtmlEncode))));

    [GeneratedRegex("((?<![0-9A-Za-z])[0-9A-Fa-f]{16,}(?![0-9A-Za-z]))", RegexOptions.CultureInvariant)]
    private static partial Regex HashPattern();

    // After each separator that is not the last character of its piece.
    [GeneratedRegex(@"(?<=[/\-.:@_,=&?])(?!\z)", RegexOptions.CultureInvariant)]
    private static partial Regex AfterSeparator();
}
