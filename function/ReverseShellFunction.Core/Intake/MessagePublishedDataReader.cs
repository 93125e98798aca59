using System.Text.Json;

namespace ReverseShellFunction.Intake;

/// <summary>
/// Reads a push body leniently: unknown members ignored, <c>message_id</c>/<c>publish_time</c> accepted as
/// duplicates of the camelCase names, <c>@type</c> ignored. Written by hand because the duplicated keys would
/// make a serializer with case-insensitive matching ambiguous. Every string is read through
/// <see cref="Text"/>: invalid UTF-8 or an escaped lone surrogate is a quarantine reason, never an exception
/// that escapes the intake.
/// </summary>
public static class MessagePublishedDataReader
{
    internal static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = 64 };

    public static MessagePublishedData Read(ReadOnlyMemory<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, s_documentOptions);
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
                Data = Data(message),
                Attributes = Attributes(message),
                MessageId = Text(message, "messageId") ?? Text(message, "message_id"),
                PublishTime = Text(message, "publishTime") ?? Text(message, "publish_time"),
                OrderingKey = Text(message, "orderingKey") ?? Text(message, "ordering_key"),
            },
            Subscription = Text(root, "subscription"),
            DeliveryAttempt = Int(root, "deliveryAttempt") ?? Int(root, "delivery_attempt"),
        };
    }

    /// <summary>A string member, or null when absent or not a string.</summary>
    /// <exception cref="InvalidDeliveryException">The member is a string that is not valid text.</exception>
    internal static string? Text(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? StringOf(value, name) : null;

    internal static string StringOf(JsonElement value, string name)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidDeliveryException(DeliveryProblem.EnvelopeNotText, $"'{name}' is not valid UTF-8 or UTF-16 text.", ex);
        }
    }

    /// <summary>
    /// Decodes <c>data</c> from the JSON bytes directly. Pub/Sub sends standard base64 without line breaks; a
    /// value the fast path refuses is tried once more as text, leniently, before it counts as not base64.
    /// </summary>
    private static ReadOnlyMemory<byte>? Data(JsonElement message)
    {
        if (!message.TryGetProperty("data", out var data) || data.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (data.ValueKind != JsonValueKind.String)
        {
            throw new InvalidDeliveryException(DeliveryProblem.NotBase64, $"message.data is a JSON {data.ValueKind}, not a base64 string.");
        }

        if (data.TryGetBytesFromBase64(out var bytes))
        {
            return bytes;
        }

        try
        {
            return Convert.FromBase64String(StringOf(data, "message.data"));
        }
        catch (FormatException ex)
        {
            throw new InvalidDeliveryException(DeliveryProblem.NotBase64, "message.data is not valid base64.", ex);
        }
        catch (InvalidDeliveryException ex)
        {
            throw new InvalidDeliveryException(DeliveryProblem.NotBase64, "message.data is not valid base64 (nor valid text).", ex);
        }
    }

    private static int? Int(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt32(out var number) => number,
            JsonValueKind.String when int.TryParse(StringOf(value, name), out var parsed) => parsed,
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
                    string key;
                    try
                    {
                        key = property.Name;
                    }
                    catch (InvalidOperationException ex)
                    {
                        throw new InvalidDeliveryException(DeliveryProblem.EnvelopeNotText, "An attribute name is not valid text.", ex);
                    }

                    attributes[key] = StringOf(property.Value, "message.attributes." + key);
                }
            }
        }

        return attributes;
    }
}
