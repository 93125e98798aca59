using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Rules;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// A decoded delivery: the rules decide whether it is collected, the echo of our own mark update is acknowledged,
/// and the lease on part 1 (<see cref="DeliveryClaim"/>) decides who collects it. A stored bundle goes to
/// <see cref="DifferingDelivery"/>, a new one to <see cref="PartOneCollection"/>.
/// </summary>
internal sealed class DeliveryHandler(
    CollectionRules rules, DeliveryClaim claim, LeaseTerms leases, PartOneCollection partOne, DifferingDelivery differing, bool marksFindings, TimeProvider time, ILogger logger)
{
    public async Task<PipelineResult> HandleAsync(DecodedDelivery data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var notification = data.Notification;
        var finding = notification.Finding;
        var decision = rules.Decide(finding);
        if (!decision.Collect)
        {
            logger.LogInformation(
                "Acknowledged finding {FindingName} without collecting: {Reason} (message {MessageId})",
                finding.Name,
                decision.Reason,
                DisplayText.Visible(data.Delivery.MessageId, 100));
            return new PipelineResult { Outcome = PipelineOutcome.Ignored, Reason = decision.Reason };
        }

        var id = BundleId.For(finding.Name!, notification.EventTime);
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["bundleId"] = id.Value, ["findingName"] = finding.Name });
        logger.LogInformation("Finding {FindingName} of category {Category} matches: bundle {BundleId}", finding.Name, finding.Category, id.Value);

        if (marksFindings && FindingMark.IsOwnFollowUp(finding, id))
        {
            // Writing the marks made SCC notify again about this same event: acknowledge it, collect nothing, mark nothing.
            logger.LogInformation("Finding {FindingName} carries the security marks of bundle {BundleId}: follow-up of our own mark update, acknowledged", finding.Name, id.Value);
            return new PipelineResult { Outcome = PipelineOutcome.Ignored, Reason = "follow-up notification of this function's own security-mark update", BundleId = id.Value };
        }

        var budget = partOne.BudgetFor(data.Delivery);
        var (outcome, generation) = await ClaimAsync(id, data.Delivery, budget, cancellationToken);
        if (outcome == ClaimOutcome.Stored)
        {
            // A redelivery, or a differing notification for the same event that the bundle must record.
            return await differing.RecordOrResumeAsync(id, data, cancellationToken);
        }

        if (outcome == ClaimOutcome.HeldElsewhere)
        {
            // Not acknowledged: if the delivery holding the lease dies, Pub/Sub brings this event again.
            logger.LogWarning("Bundle {BundleId} is being collected by another delivery (lease generation {Generation}) and is not stored yet; answering so that this one is delivered again", id.Value, generation);
            return new PipelineResult { Outcome = PipelineOutcome.InFlight, Reason = "another delivery of this event is collecting it; not acknowledged, so it is delivered again", BundleId = id.Value };
        }

        return await partOne.CollectAsync(id, data, budget, cancellationToken);
    }

    /// <summary>
    /// The lease on collecting part 1 (<see cref="DeliveryClaim"/>). A pushed delivery's lease lasts until its answer
    /// is due plus half the budget, and it waits for another delivery's part 1 until its own collectors would
    /// stop; a replayed file waits out any lease (it has no ack deadline).
    /// </summary>
    private Task<(ClaimOutcome Outcome, int Generation)> ClaimAsync(BundleId id, DeliveryInfo delivery, DeliveryBudget? budget, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (budget is null)
        {
            return claim.AcquireAsync(id, delivery, leases.Until(now), now + leases.Longest, leases.Longest, cancellationToken);
        }

        logger.LogInformation(
            "Delivery budget: answer by {AnswerBy:O} ({Spent} ms spent before receipt), collectors stop at {CollectUntil:O}",
            budget.AnswerBy,
            (long)budget.SpentBeforeReceipt.TotalMilliseconds,
            budget.CollectUntil);
        return claim.AcquireAsync(id, delivery, budget.AnswerBy + leases.Margin, budget.CollectUntil, leases.Longest, cancellationToken);
    }
}
