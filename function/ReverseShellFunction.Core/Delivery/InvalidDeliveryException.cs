namespace ReverseShellFunction.Delivery;

/// <summary>
/// Thrown for input that no retry can fix. The edge quarantines the raw request and acknowledges it,
/// so the platform stops redelivering.
/// </summary>
public sealed class InvalidDeliveryException(DeliveryProblem problem, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public DeliveryProblem Problem { get; } = problem;
}
