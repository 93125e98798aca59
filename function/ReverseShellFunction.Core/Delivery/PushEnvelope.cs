using System.Text.Json;

namespace ReverseShellFunction.Delivery;

/// <summary>
/// A first, forward-only pass over a push body that finds what is large in it without building a document of
/// it: <c>message.data</c> (a notification near Pub/Sub's 10 MB limit is 13 MB of base64), or, for an unwrapped
/// push, that the body is the notification itself. A <see cref="JsonDocument"/> of the whole body would rent
/// metadata the size of the body (16 MiB for 13 MB) on every delivery. Anything unusual (not an object, trailing
/// bytes, a repeated member, an escaped or malformed value) answers null, and the caller reads the body the
/// general way, so every quarantine reason and every lenient rule stays where it is.
/// </summary>
/// <param name="Unwrapped">The root has <c>finding</c> and no <c>message</c>: the body is the notification.</param>
/// <param name="DataStart">Where the text of <c>message.data</c> starts (after its opening quote), or −1 when there is none.</param>
/// <param name="DataLength">The length of that text, without quotes.</param>
internal sealed record PushEnvelope(bool Unwrapped, int DataStart, int DataLength)
{
    public static PushEnvelope? Scan(ReadOnlySpan<byte> body)
    {
        try
        {
            return ScanUnchecked(body);
        }
        catch (JsonException)
        {
            // Not JSON: the general path says so with its own problem and message.
            return null;
        }
    }

    /// <summary>
    /// The body with <c>message.data</c> emptied: a few hundred bytes that the general reader parses for the
    /// envelope's other members, while the data itself is decoded from the body in place.
    /// </summary>
    public byte[] EnvelopeWithoutData(ReadOnlySpan<byte> body)
    {
        var envelope = new byte[body.Length - DataLength];
        body[..DataStart].CopyTo(envelope);
        body[(DataStart + DataLength)..].CopyTo(envelope.AsSpan(DataStart));
        return envelope;
    }

    private static PushEnvelope? ScanUnchecked(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MessagePublishedDataReader.s_documentOptions.MaxDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        int messages = 0, findings = 0, datas = 0, dataStart = -1, dataLength = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("message"u8))
            {
                messages++;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isData = reader.ValueTextEquals("data"u8);
                    reader.Read();
                    if (isData)
                    {
                        datas++;
                        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
                        {
                            (dataStart, dataLength) = ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
                        }
                    }

                    reader.Skip();
                }
            }
            else
            {
                findings += reader.ValueTextEquals("finding"u8) ? 1 : 0;
                reader.Read();
                reader.Skip();
            }
        }

        // A complete object and nothing after it; one of each member, so there is no question which one counts.
        if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0 || reader.Read() || messages > 1 || datas > 1)
        {
            return null;
        }

        if (messages == 0)
        {
            return findings == 1 ? new PushEnvelope(true, -1, 0) : null;
        }

        return dataStart >= 0 ? new PushEnvelope(false, dataStart, dataLength) : null;
    }
}
