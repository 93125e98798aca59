namespace ReverseShellFunction.Intake;

/// <summary>
/// The one reader of the intake: turns a raw request into a <see cref="DecodedDelivery"/> or the reason it can
/// never become a bundle. It never throws for anything the request holds, so the function answers every
/// delivery with a bundle or a quarantine record, never with a 5xx that Pub/Sub would redeliver for ever.
/// </summary>
public static class DeliveryReader
{
    /// <param name="now">The receiving clock, which bounds plausible event times.</param>
    public static IntakeResult Read(RawDelivery raw, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(raw);
        try
        {
            var (cloudEvent, data, delivery) = CloudEventReader.Read(raw);
            var notification = NotificationDecoder.Decode(data.Message, now);
            return IntakeResult.Accepted(new DecodedDelivery(cloudEvent, delivery, notification));
        }
        catch (InvalidDeliveryException problem)
        {
            // The quarantine record keeps the body as received, not with its data decoded over it.
            raw.RestoreBody();
            return IntakeResult.Rejected(problem.Problem, problem.Message);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            raw.RestoreBody();
            // A shape no rule above expected. Quarantining it keeps the request and stops the redelivery loop;
            // the exception goes to the log so the gap in the rules can be closed.
            return IntakeResult.Rejected(DeliveryProblem.Unreadable, $"The request could not be read ({ex.GetType().Name}: {ex.Message}).", ex);
        }
    }
}
