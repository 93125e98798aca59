using System.Text.Json;
using System.Text.Json.Serialization;
using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Delivery;

/// <summary>
/// Turns <c>message.data</c> into an <see cref="SccNotification"/>, keeping the decoded bytes verbatim.
/// Accepts the v1 and v2 shapes of <c>NotificationMessage</c>; int64 fields may be strings or numbers. The
/// typed view is bounded and null-free (<see cref="FindingView"/>); the event time must be RFC 3339 and plausible.
/// </summary>
public static partial class NotificationDecoder
{
    /// <summary>Pub/Sub's message size limit; no genuine delivery carries more.</summary>
    public const int MaxMessageBytes = 10_000_000;

    /// <summary>No finding of Cloud Run Threat Detection is older; earlier times are forged or broken.</summary>
    public static readonly DateTimeOffset EarliestEventTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Clock skew allowed between SCC and this function.</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromDays(1);

    internal static readonly JsonSerializerOptions s_jsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new FindingView.BoundedStringConverter() },
        MaxDepth = 64,

        // Compile-time metadata: the first delivery of a cold instance builds no contract by reflection.
        // The bounded-string converter above still applies to every string (options converters come first).
        TypeInfoResolver = NotificationJsonContext.Default,
    };

    public static SccNotification Decode(PubSubMessage message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Data is not { Length: > 0 } data)
        {
            throw new InvalidDeliveryException(DeliveryProblem.NoFinding, "The Pub/Sub message has no data.");
        }

        return Parse(data, now);
    }

    public static SccNotification Parse(ReadOnlyMemory<byte> bytes, DateTimeOffset now)
    {
        if (bytes.Length > MaxMessageBytes)
        {
            throw new InvalidDeliveryException(
                DeliveryProblem.TooLarge,
                $"The notification has {bytes.Length} bytes, more than Pub/Sub's {MaxMessageBytes} byte limit.");
        }

        NotificationShape? shape;
        try
        {
            shape = JsonSerializer.Deserialize<NotificationShape>(bytes.Span, s_jsonOptions);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidDeliveryException(
                DeliveryProblem.NotificationNotJson, $"The notification is not JSON of the expected shape: {ex.Message}", ex);
        }

        var finding = shape?.Finding is { } raw
            ? FindingView.Clean(raw)
            : throw new InvalidDeliveryException(DeliveryProblem.NoFinding, "The notification carries no finding.");
        if (string.IsNullOrWhiteSpace(finding.Name))
        {
            throw new InvalidDeliveryException(DeliveryProblem.NoFindingName, "The finding has no name.");
        }

        var eventTime = EventTime(finding, now);
        return new SccNotification
        {
            NotificationConfigName = shape.NotificationConfigName,
            Finding = finding,
            Resource = shape.Resource,
            RawJson = bytes,
            EventTime = eventTime,
        };
    }

    private static DateTimeOffset EventTime(SccFinding finding, DateTimeOffset now)
    {
        var (time, field) = Rfc3339.TryParse(finding.EventTime, out var eventTime) ? (eventTime, "eventTime")
            : Rfc3339.TryParse(finding.CreateTime, out var createTime) ? (createTime, "createTime")
            : throw new InvalidDeliveryException(
                DeliveryProblem.NoEventTime, "The finding has neither an RFC 3339 eventTime nor an RFC 3339 createTime.");

        // A redelivery on another day must give the same bundle id, and listing must work on any stored name:
        // times no genuine finding can have are refused here, before they name anything.
        if (time < EarliestEventTime || time > now + MaxFutureSkew)
        {
            throw new InvalidDeliveryException(
                DeliveryProblem.ImplausibleEventTime,
                $"The finding's {field} {time:O} is before {EarliestEventTime:yyyy-MM-dd} or more than {MaxFutureSkew.TotalHours:0} hours after the time of receipt.");
        }

        return time;
    }

    private sealed record NotificationShape(string? NotificationConfigName, SccFinding? Finding, SccResource? Resource);

    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(NotificationShape))]
    private sealed partial class NotificationJsonContext : JsonSerializerContext;
}
