namespace ReverseShellFunction.Delivery;

/// <summary>
/// A Pub/Sub message as pushed, with <c>data</c> already decoded from base64 (straight from the JSON bytes,
/// so a 10 MB message is never also held as a 13 MB base64 string); times stay RFC 3339 strings.
/// </summary>
public sealed record PubSubMessage
{
    /// <summary>The decoded message data; null when the message had none.</summary>
    public ReadOnlyMemory<byte>? Data { get; init; }

    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
    public string? MessageId { get; init; }
    public string? PublishTime { get; init; }
    public string? OrderingKey { get; init; }
}
