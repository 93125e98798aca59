namespace ReverseShellFunction.Delivery;

/// <summary>
/// Our own model of <c>google.events.cloud.pubsub.v1.MessagePublishedData</c>: the Eventarc CloudEvent data
/// and, with the same JSON, the body of a plain Pub/Sub push.
/// </summary>
public sealed record MessagePublishedData
{
    public required PubSubMessage Message { get; init; }
    public string? Subscription { get; init; }

    /// <summary>0 or absent when the subscription has no dead-letter policy.</summary>
    public int? DeliveryAttempt { get; init; }
}
