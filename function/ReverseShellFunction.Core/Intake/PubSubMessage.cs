namespace ReverseShellFunction.Intake;

/// <summary>A Pub/Sub message as pushed: <c>data</c> is base64, int64-free, times as RFC 3339 strings.</summary>
public sealed record PubSubMessage
{
    public string? Data { get; init; }
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
    public string? MessageId { get; init; }
    public string? PublishTime { get; init; }
    public string? OrderingKey { get; init; }
}
