namespace ReverseShellFunction.Intake;

/// <summary><c>delivery.json</c>: how this copy of the event reached the function.</summary>
public sealed record DeliveryInfo
{
    public const string FileName = "delivery.json";

    public string? MessageId { get; init; }
    public string? PublishTime { get; init; }
    public string? Subscription { get; init; }
    public int? DeliveryAttempt { get; init; }
    public string? CloudEventId { get; init; }
    public string? CloudEventSource { get; init; }
    public string? CloudEventTime { get; init; }
    public string? CloudEventType { get; init; }

    /// <summary>"eventarc-binary", "eventarc-structured", "pubsub-push" or "replay".</summary>
    public required string Mode { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
}
