namespace ReverseShellFunction.Pipeline;

/// <summary>What <c>quarantine/</c> keeps of a request that can never become a bundle.</summary>
public sealed record QuarantineRecord
{
    public const string CurrentSchema = "reverse-shell-evidence/quarantine/v1";

    public string Schema { get; init; } = CurrentSchema;
    public required string Problem { get; init; }
    public required string Message { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required string Origin { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required long BodyLength { get; init; }
    public required string BodySha256 { get; init; }
    public required bool BodyTruncated { get; init; }
    public required string BodyBase64 { get; init; }
}
