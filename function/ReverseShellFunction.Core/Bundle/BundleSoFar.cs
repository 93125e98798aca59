using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// Makes a part's summary state the whole bundle so far, so the newest part's summary is the bundle's final word:
/// every collector's latest outcome across parts, every recorded notification with its latest check against SCC,
/// the worst of those checks as the bundle's authenticity, and the state line.
/// </summary>
public static class BundleSoFar
{
    /// <param name="part">This part's summary, built from its own collectors.</param>
    /// <param name="previous">The previous part's summary (itself the bundle so far); null for part 1.</param>
    /// <param name="checkedSha256">The SHA-256 of the notification this part's collectors worked from.</param>
    /// <param name="recordedIn">The part that recorded that notification (1, or this part for a later delivery).</param>
    /// <param name="ownFacts">Whether this part's facts stand (it recorded or checked a notification); otherwise the previous part's carry on.</param>
    public static EvidenceSummary Merge(EvidenceSummary part, EvidenceSummary? previous, string checkedSha256, int recordedIn, bool ownFacts)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(checkedSha256);
        var merged = part;
        if (previous is not null)
        {
            var ran = part.Collectors.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            merged = merged with
            {
                Collectors = [.. part.Collectors, .. previous.Collectors.Where(c => !ran.Contains(c.Name))],
                Workload = Workload(part.Workload, previous.Workload),
                RelatedFindings = ran.Contains(RelatedFindingsCollector) ? part.RelatedFindings : previous.RelatedFindings,
            };
            if (!ownFacts)
            {
                merged = merged with
                {
                    Finding = previous.Finding,
                    Processes = previous.Processes,
                    Network = previous.Network,
                    Container = previous.Container,
                    Resource = previous.Resource,
                    Mitre = previous.Mitre,
                };
            }
        }

        var checks = Checks(previous).ToList();
        var index = checks.FindIndex(c => c.Sha256 == checkedSha256);
        var latest = new NotificationCheck(index < 0 ? recordedIn : checks[index].Part, checkedSha256, part.Authenticity) { Contradicted = part.Contradicted };
        if (index < 0)
        {
            checks.Add(latest);
        }
        else if (part.Authenticity is not (null or FindingAuthenticity.Unchecked) || checks[index].Authenticity is null or FindingAuthenticity.Unchecked)
        {
            // A check that could not be made does not undo an answer SCC gave earlier.
            checks[index] = latest;
        }

        var worst = checks.MinBy(c => Rank(c.Authenticity))!;
        merged = merged with
        {
            Notifications = checks,
            Authenticity = worst.Authenticity,
            Contradicted = worst.Authenticity == FindingAuthenticity.Contradicted
                ? [.. checks.Where(c => c.Authenticity == FindingAuthenticity.Contradicted).SelectMany(c => c.Contradicted ?? []).Distinct(StringComparer.Ordinal)]
                : null,
        };
        merged = merged with { Headline = SummaryHeadline.Of(merged) };
        return merged with { State = StateWords.Line(merged) };
    }

    private const string RelatedFindingsCollector = "related-findings";

    /// <summary>What this part read of the workload, completed by what earlier parts read (a part runs only the collectors still due).</summary>
    private static WorkloadFacts? Workload(WorkloadFacts? part, WorkloadFacts? previous) =>
        part is null || previous is null ? part ?? previous : new WorkloadFacts(
            part.Revision ?? previous.Revision,
            part.Revision is null ? previous.RevisionSource : part.RevisionSource,
            [.. part.OtherRevisionsInLogs.Union(previous.OtherRevisionsInLogs, StringComparer.Ordinal)],
            part.Image ?? previous.Image,
            part.ImageDigest ?? previous.ImageDigest,
            part.ServiceAccount ?? previous.ServiceAccount,
            part.Ingress ?? previous.Ingress,
            part.VpcNetwork ?? previous.VpcNetwork,
            part.VpcEgress ?? previous.VpcEgress,
            part.LastChange ?? previous.LastChange,
            Math.Max(part.AuditEntryCount, previous.AuditEntryCount));

    /// <summary>The previous part's checks; an entry from before they were recorded counts as one check of part 1's notification.</summary>
    private static IEnumerable<NotificationCheck> Checks(EvidenceSummary? previous) =>
        previous is null ? []
        : previous.Notifications ?? (previous.Authenticity is null ? [] : [new NotificationCheck(1, "", previous.Authenticity) { Contradicted = previous.Contradicted }]);

    // The worst verdict leads: a contradiction or a forged name outweighs any agreement.
    private static int Rank(FindingAuthenticity? authenticity) => authenticity switch
    {
        FindingAuthenticity.Contradicted => 0,
        FindingAuthenticity.NotFound => 1,
        FindingAuthenticity.Confirmed => 3,
        _ => 2,
    };
}
