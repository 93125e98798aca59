using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ReverseShellFunction.Delivery;

namespace ReverseShellFunction.Bundle;

/// <summary>One serializer setting for every JSON file the function writes, so the same data gives the same bytes.</summary>
public static class EvidenceJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // Evidence is read by people and tools, not embedded in HTML: keep '<', '>' and '&' readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,

        // The stored shapes come from compile-time metadata (EvidenceJsonContext): a cold instance would
        // otherwise build every contract by reflection, with emitted accessors that the JIT compiles, on the
        // first event's path. Reflection stays behind it for the CLI's ad-hoc shapes (anonymous types).
        TypeInfoResolver = JsonTypeInfoResolver.Combine(EvidenceJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T Deserialize<T>(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Expected a {typeof(T).Name}, found null.");
}

/// <summary>
/// Compile-time serialization metadata for what a delivery and a completion write and read back. The options
/// here match <see cref="EvidenceJson.Options"/> (which adds the encoder); a test keeps every stored shape listed.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeliveryInfo))]
[JsonSerializable(typeof(EvidenceSummary))]
[JsonSerializable(typeof(Manifest))]
[JsonSerializable(typeof(IndexEntry))]
[JsonSerializable(typeof(PendingRecord))]
[JsonSerializable(typeof(QuarantineRecord))]
[JsonSerializable(typeof(SealRecord))]
[JsonSerializable(typeof(DsseEnvelope))]
[JsonSerializable(typeof(InTotoStatement))]
[JsonSerializable(typeof(BundleNotification))]
[JsonSerializable(typeof(PipelineResult))]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(Completeness))]
[JsonSerializable(typeof(ReverseShellFunction.Collection.FindingAuthenticity))]
[JsonSerializable(typeof(PipelineOutcome))]
internal sealed partial class EvidenceJsonContext : JsonSerializerContext;
