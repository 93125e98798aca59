using Microsoft.Extensions.Logging;
using ReverseShellFunction.Intake;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// The one path every delivery takes, over HTTP or from a replayed file: read it once (<see cref="DeliveryReader"/>),
/// then handle it or quarantine what can never become a bundle. Intake problems never leave as exceptions; store
/// failures do, as <see cref="Store.EvidenceStoreException"/>, so the edge can answer 503.
/// </summary>
public sealed class IntakeProcessor
{
    private readonly EvidenceFunction _function;
    private readonly QuarantineWriter _quarantine;
    private readonly TimeProvider _time;
    private readonly ILogger<IntakeProcessor> _logger;

    public IntakeProcessor(EvidenceFunction function, QuarantineWriter quarantine, TimeProvider time, ILogger<IntakeProcessor> logger)
    {
        _function = function;
        _quarantine = quarantine;
        _time = time;
        _logger = logger;
    }

    /// <remarks>
    /// Not async itself: an async method keeps its parameters for its whole run, and the raw body (up to 14 MiB)
    /// is needed only to decode it or to quarantine it. A decoded delivery is handled without it, so its memory is
    /// free while the collectors run.
    /// </remarks>
    public Task<PipelineResult> ProcessAsync(RawDelivery raw, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var intake = DeliveryReader.Read(raw, _time.GetUtcNow());
        if (intake.Decoded is { } decoded)
        {
            return _function.HandleAsync(decoded.CloudEvent, decoded, cancellationToken);
        }

        if (intake.Error is { } error)
        {
            _logger.LogError(error, "The intake met a request shape no rule names; quarantining it (the rules need a case for {Problem})", intake.Message);
        }

        return _quarantine.WriteAsync(raw, intake.Problem!.Value, intake.Message!, cancellationToken);
    }
}
