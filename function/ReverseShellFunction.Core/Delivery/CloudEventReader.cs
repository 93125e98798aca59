using System.Net.Mime;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace ReverseShellFunction.Delivery;

/// <summary>
/// The envelope step of the intake: turns a raw request into a CloudEvent and its Pub/Sub data. Accepts
/// Eventarc binary mode (<c>ce-*</c> headers), structured mode (<c>application/cloudevents+json</c>), a wrapped
/// Pub/Sub push body, and an unwrapped push (the notification itself, as <c>no_wrapper</c> subscriptions and
/// replayed files send it). For the two push forms a CloudEvent is synthesized, as the Functions Framework does
/// for non-CloudEvent triggers. Throws <see cref="InvalidDeliveryException"/> only; <see cref="DeliveryReader"/>
/// turns that into a quarantine reason.
/// </summary>
public static class CloudEventReader
{
    public const string MessagePublishedType = "google.cloud.pubsub.topic.v1.messagePublished";

    private static readonly JsonEventFormatter s_formatter = new();

    public static (CloudEvent Event, MessagePublishedData Data, DeliveryInfo Delivery) Read(RawDelivery raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (!raw.IsComplete)
        {
            throw new InvalidDeliveryException(DeliveryProblem.TooLarge, $"The body has {raw.BodyLength} bytes, more than any genuine delivery.");
        }

        var contentType = raw.Header("content-type");
        if (contentType is not null && contentType.StartsWith("application/cloudevents+json", StringComparison.OrdinalIgnoreCase))
        {
            return ReadStructured(raw, contentType);
        }

        return raw.Header("ce-specversion") is not null ? ReadBinary(raw) : ReadPush(raw);
    }

    private static (CloudEvent, MessagePublishedData, DeliveryInfo) ReadStructured(RawDelivery raw, string contentType)
    {
        CloudEvent cloudEvent;
        try
        {
            cloudEvent = s_formatter.DecodeStructuredModeMessage(raw.Body, new ContentType(contentType), extensionAttributes: null);
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException or InvalidOperationException)
        {
            // InvalidOperationException: a string attribute that is not valid UTF-8/UTF-16 text.
            throw new InvalidDeliveryException(DeliveryProblem.NotACloudEvent, $"Not a structured CloudEvent: {ex.Message}", ex);
        }

        var data = cloudEvent.Data switch
        {
            JsonElement element => MessagePublishedDataReader.Read(element),
            byte[] bytes => MessagePublishedDataReader.Read(bytes),
            string text => MessagePublishedDataReader.Read(Encoding.UTF8.GetBytes(text)),
            _ => throw new InvalidDeliveryException(DeliveryProblem.NoMessage, "The CloudEvent has no data."),
        };
        return (cloudEvent, data, WithCloudEvent(cloudEvent, data, raw, DeliveryMode.EventarcStructured));
    }

    private static (CloudEvent, MessagePublishedData, DeliveryInfo) ReadBinary(RawDelivery raw)
    {
        CloudEvent cloudEvent;
        try
        {
            var version = CloudEventsSpecVersion.FromVersionId(raw.Header("ce-specversion"))
                ?? throw new ArgumentException($"Unsupported CloudEvents spec version '{raw.Header("ce-specversion")}'.");
            cloudEvent = new CloudEvent(version);
            foreach (var (name, value) in raw.Headers)
            {
                if (name.StartsWith("ce-", StringComparison.OrdinalIgnoreCase) && !name.Equals("ce-specversion", StringComparison.OrdinalIgnoreCase))
                {
                    cloudEvent.SetAttributeFromString(name[3..].ToLowerInvariant(), value);
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new InvalidDeliveryException(DeliveryProblem.NotACloudEvent, $"Not a binary-mode CloudEvent: {ex.Message}", ex);
        }

        var data = MessagePublishedDataReader.Read(raw.Body);
        return (cloudEvent, data, WithCloudEvent(cloudEvent, data, raw, DeliveryMode.EventarcBinary));
    }

    private static (CloudEvent, MessagePublishedData, DeliveryInfo) ReadPush(RawDelivery raw)
    {
        // The usual shapes without a document of the whole body (see PushEnvelope); anything else as below.
        var envelope = PushEnvelope.Scan(raw.Body.Span);
        var unwrapped = envelope is { Unwrapped: true };
        var data = unwrapped ? Unwrapped(raw) : envelope is null ? null : MessagePublishedDataReader.TryReadLean(raw, envelope);
        if (data is null)
        {
            using var document = MessagePublishedDataReader.Parse(raw.Body);
            unwrapped = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("finding", out _)
                && !document.RootElement.TryGetProperty("message", out _);
            data = unwrapped ? Unwrapped(raw) : MessagePublishedDataReader.Read(document.RootElement);
        }

        var mode = raw.Source == DeliverySource.Replay
            ? unwrapped ? DeliveryMode.ReplayNotification : DeliveryMode.ReplayPushBody
            : unwrapped ? DeliveryMode.PubSubPushUnwrapped : DeliveryMode.PubSubPush;

        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = data.Message.MessageId ?? "unknown",
            Source = new Uri("//pubsub.googleapis.com/" + Uri.EscapeDataString(data.Subscription ?? "unknown").Replace("%2F", "/", StringComparison.Ordinal), UriKind.RelativeOrAbsolute),
            Type = MessagePublishedType,
        };
        return (cloudEvent, data, Delivery(data, raw, mode));
    }

    /// <summary>Unwrapped: the body is the message data itself; metadata, if any, comes in x-goog-pubsub-* headers.</summary>
    private static MessagePublishedData Unwrapped(RawDelivery raw) => new()
    {
        Message = new PubSubMessage
        {
            Data = raw.Body,
            MessageId = raw.Header("x-goog-pubsub-message-id"),
            PublishTime = raw.Header("x-goog-pubsub-publish-time"),
        },
        Subscription = raw.Header("x-goog-pubsub-subscription-name"),
    };

    private static DeliveryInfo WithCloudEvent(CloudEvent cloudEvent, MessagePublishedData data, RawDelivery raw, DeliveryMode mode)
    {
        if (cloudEvent.Id is null || cloudEvent.Source is null || cloudEvent.Type is null)
        {
            throw new InvalidDeliveryException(DeliveryProblem.NotACloudEvent, "The CloudEvent lacks id, source or type.");
        }

        if (!string.Equals(cloudEvent.Type, MessagePublishedType, StringComparison.Ordinal))
        {
            throw new InvalidDeliveryException(
                DeliveryProblem.WrongEventType, $"Event type '{cloudEvent.Type}' is not {MessagePublishedType}.");
        }

        return Delivery(data, raw, mode) with
        {
            CloudEventId = cloudEvent.Id,
            CloudEventSource = cloudEvent.Source.ToString(),
            CloudEventTime = cloudEvent.Time?.ToUniversalTime().ToString("O"),
            CloudEventType = cloudEvent.Type,
        };
    }

    private static DeliveryInfo Delivery(MessagePublishedData data, RawDelivery raw, DeliveryMode mode) => new()
    {
        MessageId = data.Message.MessageId,
        PublishTime = data.Message.PublishTime,
        Subscription = data.Subscription,
        DeliveryAttempt = data.DeliveryAttempt,
        Mode = mode,
        ReceivedAt = raw.ReceivedAt,
    };
}
