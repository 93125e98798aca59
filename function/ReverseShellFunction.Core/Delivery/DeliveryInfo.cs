using System.Text.Json.Serialization;

namespace ReverseShellFunction.Delivery;

/// <summary>How a delivery reached the function, as <c>delivery.json</c> records it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeliveryMode>))]
public enum DeliveryMode
{
    [JsonStringEnumMemberName("eventarc-binary")]
    EventarcBinary,

    [JsonStringEnumMemberName("eventarc-structured")]
    EventarcStructured,

    [JsonStringEnumMemberName("pubsub-push")]
    PubSubPush,

    [JsonStringEnumMemberName("pubsub-push-unwrapped")]
    PubSubPushUnwrapped,

    [JsonStringEnumMemberName("replay-push-body")]
    ReplayPushBody,

    [JsonStringEnumMemberName("replay-notification")]
    ReplayNotification,
}

/// <summary><c>delivery.json</c>: how this copy of the event reached the function.</summary>
public sealed record DeliveryInfo
{
    public string? MessageId { get; init; }
    public string? PublishTime { get; init; }
    public string? Subscription { get; init; }
    public int? DeliveryAttempt { get; init; }
    public string? CloudEventId { get; init; }
    public string? CloudEventSource { get; init; }
    public string? CloudEventTime { get; init; }
    public string? CloudEventType { get; init; }

    public required DeliveryMode Mode { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
}
