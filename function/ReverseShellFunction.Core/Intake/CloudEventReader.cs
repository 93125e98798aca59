using System.Net.Mime;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace ReverseShellFunction.Intake;

/// <summary>
/// Turns a raw request into a CloudEvent and its Pub/Sub data. Accepts Eventarc binary mode (<c>ce-*</c>
/// headers), structured mode (<c>application/cloudevents+json</c>), a wrapped Pub/Sub push body, and an
/// unwrapped push (the notification itself, as <c>no_wrapper</c> subscriptions and replayed files send it).
/// For the two push forms a CloudEvent is synthesized, as the Functions Framework does for non-CloudEvent
/// triggers.
/// </summary>
public static class CloudEventReader
{
    public const string MessagePublishedType = "google.cloud.pubsub.topic.v1.messagePublished";

    private static readonly JsonEventFormatter s_formatter = new();

    public static (CloudEvent Event, PubSubDelivery Data) Read(RawDelivery raw)
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

    private static (CloudEvent, PubSubDelivery) ReadStructured(RawDelivery raw, string contentType)
    {
        CloudEvent cloudEvent;
        try
        {
            cloudEvent = s_formatter.DecodeStructuredModeMessage(raw.Body, new ContentType(contentType), extensionAttributes: null);
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException)
        {
            throw new InvalidDeliveryException(DeliveryProblem.NotACloudEvent, $"Not a structured CloudEvent: {ex.Message}", ex);
        }

        var data = cloudEvent.Data switch
        {
            JsonElement element => MessagePublishedDataReader.Read(element),
            byte[] bytes => MessagePublishedDataReader.Read(bytes),
            string text => MessagePublishedDataReader.Read(Encoding.UTF8.GetBytes(text)),
            _ => throw new InvalidDeliveryException(DeliveryProblem.NoMessage, "The CloudEvent has no data."),
        };
        return (cloudEvent, WithDelivery(cloudEvent, data, raw, "eventarc-structured"));
    }

    private static (CloudEvent, PubSubDelivery) ReadBinary(RawDelivery raw)
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
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw new InvalidDeliveryException(DeliveryProblem.NotACloudEvent, $"Not a binary-mode CloudEvent: {ex.Message}", ex);
        }

        var data = MessagePublishedDataReader.Read(raw.Body);
        return (cloudEvent, WithDelivery(cloudEvent, data, raw, "eventarc-binary"));
    }

    private static (CloudEvent, PubSubDelivery) ReadPush(RawDelivery raw)
    {
        MessagePublishedData data;
        string mode;
        using (var document = Parse(raw.Body))
        {
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("finding", out _)
                && !document.RootElement.TryGetProperty("message", out _))
            {
                // Unwrapped: the body is the message data itself; metadata, if any, comes in x-goog-pubsub-* headers.
                data = new MessagePublishedData
                {
                    Message = new PubSubMessage
                    {
                        Data = Convert.ToBase64String(raw.Body),
                        MessageId = raw.Header("x-goog-pubsub-message-id"),
                        PublishTime = raw.Header("x-goog-pubsub-publish-time"),
                    },
                    Subscription = raw.Header("x-goog-pubsub-subscription-name"),
                };
                mode = raw.Origin.StartsWith("replay", StringComparison.Ordinal) ? "replay-notification" : "pubsub-push-unwrapped";
            }
            else
            {
                data = MessagePublishedDataReader.Read(document.RootElement);
                mode = raw.Origin.StartsWith("replay", StringComparison.Ordinal) ? "replay-push-body" : "pubsub-push";
            }
        }

        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = data.Message.MessageId ?? "unknown",
            Source = new Uri("//pubsub.googleapis.com/" + (data.Subscription ?? "unknown"), UriKind.RelativeOrAbsolute),
            Type = MessagePublishedType,
        };
        var delivery = Delivery(data, raw, mode) with { CloudEventId = null, CloudEventSource = null, CloudEventTime = null, CloudEventType = null };
        return (cloudEvent, new PubSubDelivery(data, delivery));
    }

    private static JsonDocument Parse(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new InvalidDeliveryException(DeliveryProblem.NotJson, "The body is not JSON.", ex);
        }
    }

    private static PubSubDelivery WithDelivery(CloudEvent cloudEvent, MessagePublishedData data, RawDelivery raw, string mode)
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

        return new PubSubDelivery(data, Delivery(data, raw, mode) with
        {
            CloudEventId = cloudEvent.Id,
            CloudEventSource = cloudEvent.Source.ToString(),
            CloudEventTime = cloudEvent.Time?.ToUniversalTime().ToString("O"),
            CloudEventType = cloudEvent.Type,
        });
    }

    private static DeliveryInfo Delivery(MessagePublishedData data, RawDelivery raw, string mode) => new()
    {
        MessageId = data.Message.MessageId,
        PublishTime = data.Message.PublishTime,
        Subscription = data.Subscription,
        DeliveryAttempt = data.DeliveryAttempt,
        Mode = mode,
        ReceivedAt = raw.ReceivedAt,
    };
}
