using ReverseShellFunction.Bundle;
using ReverseShellFunction.Delivery;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// The one path every delivery takes, over HTTP or from a replayed file: read it once (<see cref="DeliveryReader"/>),
/// then handle it or quarantine what can never become a bundle. Intake problems never leave as exceptions; store
/// failures do, as <see cref="Store.EvidenceStoreException"/>, so the edge can answer 503.
/// </summary>
public sealed class IntakeProcessor(EvidenceFunction function, QuarantineWriter quarantine, TimeProvider time)
{
    /// <remarks>
    /// Not async itself: an async method keeps its parameters for its whole run, and the raw body (up to 14 MiB)
    /// is needed only to decode it or to quarantine it. A decoded delivery is handled without it, so its memory is
    /// free while the collectors run.
    /// </remarks>
    public Task<PipelineResult> ProcessAsync(RawDelivery raw, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var intake = DeliveryReader.Read(raw, time.GetUtcNow());
        if (intake.Decoded is { } decoded)
        {
            return function.HandleAsync(decoded, cancellationToken);
        }

        // One warning per delivery, from the quarantine, with the exception when no rule named the shape (Unreadable):
        // a sender can repeat any odd envelope at will, and each is kept and acknowledged, so none is an error.
        return quarantine.WriteAsync(raw, intake.Problem!.Value, intake.Message!, cancellationToken, intake.Error);
    }
}
