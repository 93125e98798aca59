using ReverseShellFunction.Intake;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// The one path every delivery takes, over HTTP or from a replayed file: parse, handle, and quarantine what
/// can never become a bundle. Store failures propagate so the edge can answer 5xx.
/// </summary>
public sealed class IntakeProcessor
{
    private readonly EvidenceFunction _function;
    private readonly QuarantineWriter _quarantine;

    public IntakeProcessor(EvidenceFunction function, QuarantineWriter quarantine)
    {
        _function = function;
        _quarantine = quarantine;
    }

    public async Task<PipelineResult> ProcessAsync(RawDelivery raw, CancellationToken cancellationToken)
    {
        try
        {
            var (cloudEvent, data) = CloudEventReader.Read(raw);
            return await _function.HandleAsync(cloudEvent, data, cancellationToken);
        }
        catch (InvalidDeliveryException problem)
        {
            return await _quarantine.WriteAsync(raw, problem, cancellationToken);
        }
    }
}
