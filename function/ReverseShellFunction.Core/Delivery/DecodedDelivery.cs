using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Delivery;

/// <summary>A delivery the intake could read whole: how it arrived, and the notification it carries.</summary>
public sealed record DecodedDelivery(DeliveryInfo Delivery, SccNotification Notification);

/// <summary>What the intake made of a request: a decoded delivery, or the reason it can never become a bundle.</summary>
/// <param name="Message">For a rejection: what is wrong, for the quarantine record and the log.</param>
/// <param name="Error">For <see cref="DeliveryProblem.Unreadable"/>: the exception no rule expected, for the log.</param>
public sealed record IntakeResult(DecodedDelivery? Decoded, DeliveryProblem? Problem, string? Message, Exception? Error)
{
    public static IntakeResult Accepted(DecodedDelivery decoded) => new(decoded, null, null, null);

    public static IntakeResult Rejected(DeliveryProblem problem, string message, Exception? error = null) => new(null, problem, message, error);
}
