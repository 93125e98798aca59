using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Collectors;

/// <summary>How collectors write API documents into the bundle: indented, readable, whole.</summary>
public static class JsonEvidence
{
    public static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The serializer's form of <see cref="Compact"/>: one line, with the same escaping.</summary>
    public static readonly JsonSerializerOptions CompactSerializer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(IEvidenceWriter evidence, string path, JsonNode document)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(document);
        await using var stream = evidence.CreateFile(path);
        await using var writer = new Utf8JsonWriter(stream, Indented);
        document.WriteTo(writer);

        // Not the collection token: a document fetched before the deadline is written whole.
        await writer.FlushAsync(CancellationToken.None);
    }
}
