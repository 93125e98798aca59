using System.Globalization;
using System.Text.Json;
using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Intake;

/// <summary>
/// Turns <c>message.data</c> into an <see cref="SccNotification"/>, keeping the decoded bytes verbatim.
/// Accepts the v1 and v2 shapes of <c>NotificationMessage</c>; int64 fields may be strings or numbers.
/// </summary>
public static class NotificationDecoder
{
    /// <summary>Pub/Sub's message size limit; no genuine delivery carries more.</summary>
    public const int MaxMessageBytes = 10_000_000;

    internal static readonly JsonSerializerOptions s_jsonOptions = new(JsonSerializerDefaults.Web);

    public static SccNotification Decode(PubSubMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrEmpty(message.Data))
        {
            throw new InvalidDeliveryException(DeliveryProblem.NoFinding, "The Pub/Sub message has no data.");
        }

        // Base64 expands 3 bytes to 4 characters: check the limit before allocating the decoded buffer.
        if ((long)message.Data.Length / 4 * 3 > MaxMessageBytes + 3)
        {
            throw new InvalidDeliveryException(
                DeliveryProblem.TooLarge,
                $"The message data exceeds Pub/Sub's {MaxMessageBytes} byte limit.");
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(message.Data);
        }
        catch (FormatException ex)
        {
            throw new InvalidDeliveryException(DeliveryProblem.NotBase64, "message.data is not valid base64.", ex);
        }

        return Parse(bytes);
    }

    public static SccNotification Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length > MaxMessageBytes)
        {
            throw new InvalidDeliveryException(
                DeliveryProblem.TooLarge,
                $"The notification exceeds Pub/Sub's {MaxMessageBytes} byte limit.");
        }

        NotificationShape? shape;
        try
        {
            shape = JsonSerializer.Deserialize<NotificationShape>(bytes, s_jsonOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidDeliveryException(
                DeliveryProblem.NotificationNotJson, "The notification is not JSON of the expected shape.", ex);
        }

        var finding = shape?.Finding
            ?? throw new InvalidDeliveryException(DeliveryProblem.NoFinding, "The notification carries no finding.");
        if (string.IsNullOrWhiteSpace(finding.Name))
        {
            throw new InvalidDeliveryException(DeliveryProblem.NoFindingName, "The finding has no name.");
        }

        var eventTime = ParseTime(finding.EventTime) ?? ParseTime(finding.CreateTime)
            ?? throw new InvalidDeliveryException(
                DeliveryProblem.NoEventTime, "The finding has neither a valid eventTime nor a valid createTime.");

        return new SccNotification
        {
            NotificationConfigName = shape.NotificationConfigName,
            Finding = finding,
            Resource = shape.Resource,
            RawJson = bytes,
            EventTime = eventTime,
        };
    }

    internal static DateTimeOffset? ParseTime(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUniversalTime()
            : null;

    private sealed record NotificationShape
    {
        public string? NotificationConfigName { get; init; }
        public SccFinding? Finding { get; init; }
        public SccResource? Resource { get; init; }
    }
}
