namespace ReverseShellFunction.Intake;

/// <summary>Why a delivery can never become a bundle. Each value is a quarantine reason.</summary>
public enum DeliveryProblem
{
    TooLarge,
    NotJson,
    NotACloudEvent,
    WrongEventType,
    NoMessage,
    NotBase64,
    NotificationNotJson,
    NoFinding,
    NoFindingName,
    NoEventTime,
}
