using ReverseShellFunction.Delivery;

namespace ReverseShellFunction.Bundle;

/// <summary>What <c>quarantine/</c> keeps of a request that can never become a bundle.</summary>
public sealed record QuarantineRecord
{
    public const string CurrentSchema = "reverse-shell-evidence/quarantine/v2";

    public string Schema { get; init; } = CurrentSchema;
    public required DeliveryProblem Problem { get; init; }
    public required string Message { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required string Origin { get; init; }

    /// <summary>Headers on the allowlist, with their values.</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>Names (never values) of the other headers.</summary>
    public required IReadOnlyList<string> DroppedHeaders { get; init; }

    /// <summary>The whole body's length, however much of it is kept.</summary>
    public required long BodyLength { get; init; }

    /// <summary>SHA-256 of the whole body, streamed.</summary>
    public required string BodySha256 { get; init; }

    public required bool BodyTruncated { get; init; }
    public required string BodyBase64 { get; init; }
}
