using CloudNative.CloudEvents;
using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Delivery;

/// <summary>A delivery the intake could read whole: the event, how it arrived, and the notification it carries.</summary>
public sealed record DecodedDelivery(CloudEvent CloudEvent, DeliveryInfo Delivery, SccNotification Notification);

/// <summary>What the intake made of a request: a decoded delivery, or the reason it can never become a bundle.</summary>
public sealed record IntakeResult
{
    private IntakeResult(DecodedDelivery? decoded, DeliveryProblem? problem, string? message, Exception? error)
    {
        Decoded = decoded;
        Problem = problem;
        Message = message;
        Error = error;
    }

    public DecodedDelivery? Decoded { get; }

    public DeliveryProblem? Problem { get; }

    /// <summary>For a rejection: what is wrong, for the quarantine record and the log.</summary>
    public string? Message { get; }

    /// <summary>For <see cref="DeliveryProblem.Unreadable"/>: the exception no rule expected, for the log.</summary>
    public Exception? Error { get; }

    public static IntakeResult Accepted(DecodedDelivery decoded) => new(decoded, null, null, null);

    public static IntakeResult Rejected(DeliveryProblem problem, string message, Exception? error = null) => new(null, problem, message, error);
}
