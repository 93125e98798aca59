using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ReverseShellFunction.Delivery;

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
        if (PushEnvelope.Scan(json.Span) is { Unwrapped: false } envelope && TryReadLean(json.Span, envelope) is { } lean)
        {
            return lean;
        }

        using var document = Parse(json);
        return Read(document.RootElement);
    }

    /// <summary>The whole body as a document; a body that is not JSON is <see cref="DeliveryProblem.NotJson"/>.</summary>
    internal static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonDocument.Parse(body, s_documentOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidDeliveryException(DeliveryProblem.NotJson, "The body is not JSON.", ex);
        }
    }

    /// <summary>
    /// The envelope parsed without its data, and the data decoded from the body where it lies; null when the data
    /// is not plain padded base64, so that the general path decides what it is.
    /// </summary>
    internal static MessagePublishedData? TryReadLean(ReadOnlySpan<byte> body, PushEnvelope envelope) =>
        DecodeBase64(body.Slice(envelope.DataStart, envelope.DataLength)) is { } data ? ReadEnvelope(envelope.EnvelopeWithoutData(body), data) : null;

    /// <summary>
    /// As the other overload, for a delivery whose body it may decode into (<see cref="RawDelivery.BodyIsOwned"/>):
    /// the notification then lies in the body's own array, the only copy of it, instead of in a second array
    /// nearly the body's size held while the body is (the peak of a delivery near Pub/Sub's 10 MB limit).
    /// </summary>
    internal static MessagePublishedData? TryReadLean(RawDelivery raw, PushEnvelope envelope)
    {
        // Copied out first: the members around the data stay as they are, but read them before anything changes.
        var rest = envelope.EnvelopeWithoutData(raw.Body.Span);
        return raw.TryDecodeInPlace(envelope.DataStart, envelope.DataLength) is { } inPlace ? ReadEnvelope(rest, inPlace) : TryReadLean(raw.Body.Span, envelope);
    }

    /// <summary>The envelope's members, parsed from the body without its data, around the data decoded apart.</summary>
    private static MessagePublishedData ReadEnvelope(byte[] envelopeWithoutData, ReadOnlyMemory<byte> data)
    {
        using var document = JsonDocument.Parse(envelopeWithoutData, s_documentOptions);
        return Read(document.RootElement, data);
    }

    /// <param name="decodedData">The data when it was decoded from the body apart; null: read from <paramref name="root"/>.</param>
    public static MessagePublishedData Read(JsonElement root, ReadOnlyMemory<byte>? decodedData = null)
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
                Data = decodedData ?? Data(message),
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

        if (DecodeUnescaped(data) is { } decoded)
        {
            return decoded;
        }

        try
        {
            return data.TryGetBytesFromBase64(out var bytes) ? bytes : Convert.FromBase64String(StringOf(data, "message.data"));
        }
        catch (FormatException ex)
        {
            throw new InvalidDeliveryException(DeliveryProblem.NotBase64, "message.data is not valid base64.", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDeliveryException)
        {
            // An escaped lone surrogate: not text, so not base64 either.
            throw new InvalidDeliveryException(DeliveryProblem.NotBase64, "message.data is not valid base64 (nor valid text).", ex);
        }
    }

    /// <summary>
    /// The usual case, straight from the body's bytes into an array of the decoded size: a string without escapes,
    /// padded standard base64. <see cref="JsonElement.TryGetBytesFromBase64"/> would decode into a pooled buffer
    /// first and copy from there, which for a notification near Pub/Sub's limit is a second 10 MB buffer per
    /// delivery (and a 16 MiB array kept by the pool). Null for anything else, which the general path decides.
    /// </summary>
    private static byte[]? DecodeUnescaped(JsonElement data)
    {
        var raw = JsonMarshal.GetRawUtf8Value(data);
        return raw.Length >= 2 && raw[0] == (byte)'"' && raw[^1] == (byte)'"' ? DecodeBase64(raw[1..^1]) : null;
    }

    /// <summary>Padded standard base64 without escapes or whitespace, decoded; null for anything else.</summary>
    private static byte[]? DecodeBase64(ReadOnlySpan<byte> text)
    {
        if (text.Length % 4 != 0 || text.Contains((byte)'\\'))
        {
            return null;
        }

        var padding = text.Length == 0 ? 0 : text[^1] != (byte)'=' ? 0 : text[^2] != (byte)'=' ? 1 : 2;
        var decoded = new byte[(text.Length / 4 * 3) - padding];
        return Base64.DecodeFromUtf8(text, decoded, out var consumed, out var written) == OperationStatus.Done
            && consumed == text.Length && written == decoded.Length
            ? decoded
            : null;
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
