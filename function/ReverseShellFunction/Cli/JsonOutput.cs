using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Cli;

/// <summary>
/// JSON for stdout: one document per line (for jq and log shippers) or indented for a person. Every --json output
/// goes through here, so none carries a raw control, format or bidi character (Unicode Cc, Cf, Zl, Zp) to a
/// terminal: each is written as \uXXXX, which is the same JSON value. The stored files keep their relaxed
/// escaping (EvidenceJson); only what is printed is made safe.
/// </summary>
internal static partial class JsonOutput
{
    private static readonly JsonSerializerOptions s_line = new(EvidenceJson.Options) { WriteIndented = false };

    public static string Line<T>(T value) => Safe(JsonSerializer.Serialize(value, s_line));

    public static string Indented<T>(T value) => Safe(JsonSerializer.Serialize(value, EvidenceJson.Options));

    /// <summary>
    /// Escapes every Cc, Cf, Zl and Zp character. Outside strings JSON has only space, tab, CR and LF, which stay;
    /// inside strings the serializer already escaped those three, so each one left here is structure.
    /// </summary>
    internal static string Safe(string json) =>
        Unsafe().Replace(json, c => "\\u" + ((int)c.Value[0]).ToString("x4", CultureInfo.InvariantCulture));

    [GeneratedRegex(@"[\p{Cc}\p{Cf}\p{Zl}\p{Zp}-[\t\r\n]]", RegexOptions.CultureInvariant)]
    private static partial Regex Unsafe();
}
