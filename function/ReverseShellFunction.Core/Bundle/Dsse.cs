using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// A DSSE envelope (secure-systems-lab/dsse, envelope v1): the payload, its type and signatures over
/// PAE(type, payload). Serialized with the spec's own member names.
/// </summary>
public sealed record DsseEnvelope(
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("payloadType")] string PayloadType,
    [property: JsonPropertyName("signatures")] IReadOnlyList<DsseSignature> Signatures)
{
    /// <summary>The payload type in-toto attestations use.</summary>
    public const string InTotoPayloadType = "application/vnd.in-toto+json";

    /// <summary>
    /// DSSE's pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths as ASCII
    /// decimal byte counts. What is signed, so type and body cannot be swapped or cut.
    /// </summary>
    public static byte[] PreAuthenticationEncoding(string payloadType, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(payloadType);
        var type = Encoding.UTF8.GetBytes(payloadType);
        var head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"DSSEv1 {type.Length} "));
        var middle = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $" {body.Length} "));
        return [.. head, .. type, .. middle, .. body];
    }
}

/// <summary>One DSSE signature: base64 of the DER ECDSA signature, and the (unauthenticated) key id hint.</summary>
public sealed record DsseSignature(
    [property: JsonPropertyName("keyid")] string KeyId,
    [property: JsonPropertyName("sig")] string Sig);

/// <summary>An in-toto Statement v1 (in-toto/attestation spec/v1/statement.md) with this project's predicate.</summary>
public sealed record InTotoStatement(
    [property: JsonPropertyName("_type")] string Type,
    [property: JsonPropertyName("subject")] IReadOnlyList<InTotoSubject> Subject,
    [property: JsonPropertyName("predicateType")] string PredicateType,
    [property: JsonPropertyName("predicate")] CustodyPredicate Predicate)
{
    public const string StatementType = "https://in-toto.io/Statement/v1";

    /// <summary>This project's predicate: a bundle part sealed as evidence. A URN, so it resolves to nothing anyone could take over.</summary>
    public const string CustodyPredicateType = "urn:reverse-shell-evidence:custody:v1";
}

/// <summary>A ResourceDescriptor with a name and a SHA-256 digest (lower-case hex).</summary>
public sealed record InTotoSubject(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("digest")] IReadOnlyDictionary<string, string> Digest);

/// <summary>What the statement asserts besides the subjects: which bundle, which finding, when, sealed by which key.</summary>
public sealed record CustodyPredicate(
    [property: JsonPropertyName("bundleId")] string BundleId,
    [property: JsonPropertyName("findingName")] string FindingName,
    [property: JsonPropertyName("eventTime")] DateTimeOffset EventTime,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("tool")] string Tool);
