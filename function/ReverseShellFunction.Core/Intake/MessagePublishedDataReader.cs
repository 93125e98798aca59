using System.Text.Json;

namespace ReverseShellFunction.Intake;

/// <summary>
/// Reads a push body leniently: unknown members ignored, <c>message_id</c>/<c>publish_time</c> accepted as
/// duplicates of the camelCase names, <c>@type</c> ignored. Written by hand because the duplicated keys would
/// make a serializer with case-insensitive matching ambiguous.
/// </summary>
public static class MessagePublishedDataReader
{
    public static MessagePublishedData Read(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new InvalidDeliveryException(DeliveryProblem.NotJson, "The body is not JSON.", ex);
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    public static MessagePublishedData Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("message", out var message)
            || message.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDeliveryException(DeliveryProblem.NoMessage, "The body has no 'message' object.");
        }

        return new MessagePublishedData
        {
            Message = new PubSubMessage
            {
                Data = String(message, "data"),
                Attributes = Attributes(message),
                MessageId = String(message, "messageId") ?? String(message, "message_id"),
                PublishTime = String(message, "publishTime") ?? String(message, "publish_time"),
                OrderingKey = String(message, "orderingKey") ?? String(message, "ordering_key"),
            },
            Subscription = String(root, "subscription"),
            DeliveryAttempt = Int(root, "deliveryAttempt") ?? Int(root, "delivery_attempt"),
        };
    }

    private static string? String(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt32(out var number) => number,
            JsonValueKind.String when int.TryParse(value.GetString(), out var parsed) => parsed,
            _ => null,
        };
    }

    private static Dictionary<string, string> Attributes(JsonElement message)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (message.TryGetProperty("attributes", out var element) && element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    attributes[property.Name] = property.Value.GetString()!;
                }
            }
        }

        return attributes;
    }
}
