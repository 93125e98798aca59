using System.Globalization;
using System.Text;
using System.Text.Json;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Cli;

/// <summary>
/// JSON for stdout: one document per line (for jq and log shippers) or indented for a person. Every --json output
/// goes through here, so none carries a raw control, format or bidi character (Unicode Cc, Cf, Zl, Zp) to a
/// terminal: each is written as \uXXXX, which is the same JSON value. The stored files keep their relaxed
/// escaping (EvidenceJson); only what is printed is made safe.
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions s_line = new(EvidenceJson.Options) { WriteIndented = false };

    public static string Line<T>(T value) => Safe(JsonSerializer.Serialize(value, s_line));

    public static string Indented<T>(T value) => Safe(JsonSerializer.Serialize(value, EvidenceJson.Options));

    /// <summary>
    /// Escapes every Cc, Cf, Zl and Zp character. Outside strings JSON has only space, tab, CR and LF, which stay;
    /// inside strings the serializer already escaped those three, so each one left here is structure.
    /// </summary>
    internal static string Safe(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (!json.Any(NeedsEscape))
        {
            return json;
        }

        var text = new StringBuilder(json.Length + 16);
        foreach (var c in json)
        {
            if (NeedsEscape(c))
            {
                text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static bool NeedsEscape(char c) => c is not ('\n' or '\r' or '\t') && char.GetUnicodeCategory(c) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
