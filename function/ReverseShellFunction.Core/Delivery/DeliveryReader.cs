using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Delivery;

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
            var (_, data, delivery) = ReadEnvelope(raw);
            SccNotification notification;
            try
            {
                notification = NotificationDecoder.Decode(data.Message, now);
            }
            catch (InvalidOperationException ex) when (IsTextProblem(ex))
            {
                throw new InvalidDeliveryException(DeliveryProblem.NotificationNotJson, $"A member name or string of the notification is not valid UTF-8 or UTF-16 text ({ex.Message}).", ex);
            }

            return IntakeResult.Accepted(new DecodedDelivery(delivery, notification));
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

    /// <summary>
    /// The envelope, with the two ways a hostile one gets past the envelope's own rules named as the documented
    /// problems, so they are quarantined as those rather than as <see cref="DeliveryProblem.Unreadable"/>: a JSON
    /// member name or string that is not valid text (System.Text.Json throws when it compares or reads one),
    /// and a message id or subscription the CloudEvents SDK refuses as an attribute (empty, control characters).
    /// </summary>
    private static (CloudNative.CloudEvents.CloudEvent CloudEvent, MessagePublishedData Data, DeliveryInfo Delivery) ReadEnvelope(RawDelivery raw)
    {
        try
        {
            return CloudEventReader.Read(raw);
        }
        catch (InvalidOperationException ex) when (IsTextProblem(ex))
        {
            throw new InvalidDeliveryException(DeliveryProblem.EnvelopeNotText, $"A member name or string of the envelope is not valid UTF-8 or UTF-16 text ({ex.Message}).", ex);
        }
        catch (ArgumentException ex) when (ex.Source == "CloudNative.CloudEvents")
        {
            throw new InvalidDeliveryException(DeliveryProblem.NotACloudEvent, $"The message id or subscription cannot be a CloudEvent attribute ({ex.Message}).", ex);
        }
    }

    // System.Text.Json throws InvalidOperationException for text it cannot transcode (a lone surrogate escape,
    // invalid UTF-8) wherever a name or string is compared or read; the reader's own rules decide every other case.
    private static bool IsTextProblem(InvalidOperationException ex) => ex.Source?.StartsWith("System.Text.Json", StringComparison.Ordinal) == true;
}
