using System.Text.Json.Serialization;

namespace ReverseShellFunction.Delivery;

/// <summary>Why a delivery can never become a bundle. Each value is a quarantine reason.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeliveryProblem>))]
public enum DeliveryProblem
{
    TooLarge,
    NotJson,
    NotACloudEvent,
    WrongEventType,
    NoMessage,

    /// <summary>An envelope member (message id, subscription, attribute, CloudEvent id…) is not valid UTF-8 or UTF-16 text.</summary>
    EnvelopeNotText,
    NotBase64,
    NotificationNotJson,
    NoFinding,
    NoFindingName,
    NoEventTime,

    /// <summary>The event time is RFC 3339 but no genuine finding can have it (before 2000, or more than a day ahead).</summary>
    ImplausibleEventTime,

    /// <summary>Parsing failed in a way no rule above names; the exception type is in the message.</summary>
    Unreadable,
}
