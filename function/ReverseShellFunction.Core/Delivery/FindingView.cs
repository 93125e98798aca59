using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Delivery;

/// <summary>
/// Makes the typed view of a finding safe to build on: no null elements in any list, lists and strings bounded.
/// The view feeds summary.json, which the index entry embeds, so a 9.9 MB description must not become a 9.9 MB
/// "small" index entry. Nothing is lost: notification.json keeps the exact bytes, and every cut says so.
/// </summary>
public static class FindingView
{
    /// <summary>Longest string the view keeps, in UTF-16 code units.</summary>
    public const int MaxStringLength = 8 * 1024;

    /// <summary>Most elements the view keeps of any list (processes, args, containers, connections, indicators).</summary>
    public const int MaxListLength = 256;

    public static SccFinding Clean(SccFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return finding with
        {
            Processes = List(finding.Processes)?.Select(p => p with { Args = List(p.Args) }).ToList(),
            Containers = List(finding.Containers),
            Connections = List(finding.Connections),
            Indicator = finding.Indicator is { } indicator
                ? indicator with { IpAddresses = List(indicator.IpAddresses), Domains = List(indicator.Domains) }
                : null,
            MitreAttack = finding.MitreAttack is { } mitre
                ? mitre with
                {
                    PrimaryTechniques = List(mitre.PrimaryTechniques),
                    AdditionalTactics = List(mitre.AdditionalTactics),
                    AdditionalTechniques = List(mitre.AdditionalTechniques),
                }
                : null,
            SecurityMarks = finding.SecurityMarks is { Marks.Count: > MaxListLength } marks
                ? marks with { Marks = marks.Marks.Take(MaxListLength).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal) }
                : finding.SecurityMarks,
            SourceProperties = finding.SourceProperties?.Take(MaxListLength)
                .ToDictionary(p => p.Key, p => Readable(p.Value), StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// sourceProperties values stay JSON; a string that is not valid text (found by the fuzz suite: an escaped
    /// lone surrogate in Container_Image_Uri, invalid UTF-8) becomes its escaped text, invalid bytes as U+FFFD,
    /// so reading it later cannot throw.
    /// </summary>
    private static JsonElement Readable(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return value;
        }

        try
        {
            _ = value.GetString();
            return value;
        }
        catch (InvalidOperationException)
        {
            // From the raw bytes, decoded leniently: GetRawText throws too when the bytes are not UTF-8.
            return JsonSerializer.SerializeToElement(System.Text.Encoding.UTF8.GetString(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value)).Trim('"'));
        }
    }

    // The declared element types are non-null, but the deserializer puts a JSON null in as null: filter at run time.
    private static List<T>? List<T>(List<T>? items)
        where T : class =>
        items is null ? null : [.. items.Where(item => item is not null).Take(MaxListLength)];

    /// <summary>
    /// Reads strings for the view: cut at <see cref="MaxStringLength"/> with a note, and a string that is not
    /// valid UTF-8 or UTF-16 (an escaped lone surrogate) kept as its escaped JSON text instead of failing the
    /// delivery. Process arguments are attacker-chosen: odd bytes in them must not stop the evidence being kept.
    /// </summary>
    internal sealed class BoundedStringConverter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
            {
                throw new JsonException($"Expected a string, found {reader.TokenType}.");
            }

            // A long value without escapes is cut from its UTF-8 bytes directly: a 9.9 MB description then costs
            // 8 KiB here instead of a 19.8 MB string that is cut right away.
            if (!reader.HasValueSequence && !reader.ValueIsEscaped && reader.ValueSpan.Length > MaxStringLength * 4)
            {
                var bytes = reader.ValueSpan;
                var cut = MaxStringLength;
                while (cut > 0 && (bytes[cut] & 0xC0) == 0x80)
                {
                    cut--; // never split a UTF-8 sequence
                }

                return $"{Encoding.UTF8.GetString(bytes[..cut])}…[cut at {cut} of {bytes.Length} bytes; notification.json has it all]";
            }

            string text;
            try
            {
                text = reader.GetString()!;
            }
            catch (InvalidOperationException)
            {
                var raw = reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan.ToArray();
                text = Encoding.UTF8.GetString(raw);
            }

            return text.Length <= MaxStringLength
                ? text
                : $"{text[..MaxStringLength]}…[cut at {MaxStringLength} of {text.Length} characters; notification.json has it all]";
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        // Keys of sourceProperties and other maps are attacker-chosen too: the same cut and the same tolerance.
        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Read(ref reader, typeToConvert, options) ?? string.Empty;

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);
    }
}
