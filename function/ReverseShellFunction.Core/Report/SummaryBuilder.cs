using System.Globalization;
using System.Text.Json;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Report;

/// <summary>Pulls the responder's facts out of a notification. Every field is optional in the input.</summary>
public static class SummaryBuilder
{
    // Documented sourceProperties keys of the Cloud Run Reverse Shell finding.
    private const string RemoteIpKey = "Reverse_Shell_Stdin_Redirection_Dst_Ip";
    private const string RemotePortKey = "Reverse_Shell_Stdin_Redirection_Dst_Port";
    private const string LocalIpKey = "Reverse_Shell_Stdin_Redirection_Src_Ip";
    private const string LocalPortKey = "Reverse_Shell_Stdin_Redirection_Src_Port";
    private const string ImageKey = "Container_Image_Uri";

    /// <param name="sccCopy">
    /// SCC's current copy of the finding, read from <c>scc/finding.json</c>: when this part's check found the
    /// notification contradicted, the facts are SCC's (the event time and name stay the notification's: they name the bundle).
    /// </param>
    public static EvidenceSummary Build(
        BundleId bundleId,
        SccNotification notification,
        IReadOnlyList<CollectorReport> collectors,
        DateTimeOffset createdAt,
        SccNotification? sccCopy = null)
    {
        ArgumentNullException.ThrowIfNull(bundleId);
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(collectors);
        var contradicted = collectors.Any(c => c.Authenticity == FindingAuthenticity.Contradicted);
        var facts = contradicted && sccCopy is not null
            ? notification with { Finding = sccCopy.Finding with { Name = notification.Finding.Name }, Resource = sccCopy.Resource ?? notification.Resource }
            : notification;
        var finding = facts.Finding;
        var summary = new EvidenceSummary
        {
            BundleId = bundleId.Value,
            Finding = new FindingFacts(
                finding.Name!,
                finding.Category,
                finding.Severity,
                finding.State,
                finding.Mute,
                finding.FindingClass,
                notification.EventTime,
                finding.CreateTime,
                finding.Description,
                notification.NotificationConfigName),
            Processes = Processes(finding),
            Network = Network(finding),
            Container = Container(finding),
            Resource = Resource(finding, facts.Resource),
            Mitre = MitreAttackCatalog.Describe(finding.MitreAttack),
            Collectors = [.. collectors.Select(c => new CollectorOutcome(c.Name, c.Status, c.Reason, c.ItemCount, c.Truncated) { Part = bundleId.Part })],
            Authenticity = collectors.FirstOrDefault(c => c.Authenticity is not null)?.Authenticity,
            Contradicted = collectors.FirstOrDefault(c => c.Authenticity is not null)?.Contradicted,
            CreatedAt = createdAt,
        };
        return summary with { Headline = SummaryHeadline.Of(summary) };
    }

    /// <summary>Adds what the staged evidence says: the workload as it ran and related findings by category.</summary>
    public static EvidenceSummary WithEvidence(EvidenceSummary summary, DigestResult digest)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(digest);
        var enriched = summary with { Workload = digest.Workload, RelatedFindings = digest.RelatedFindings };
        return enriched with { Headline = SummaryHeadline.Of(enriched) };
    }

    private static List<ProcessFacts> Processes(SccFinding finding)
    {
        var processes = finding.Processes ?? [];
        var byPid = processes.Where(p => p.Pid is not null).GroupBy(p => p.Pid!.Value).ToDictionary(g => g.Key, g => g.First());
        return [.. processes.Select(p => new ProcessFacts(
            p.Name,
            p.Binary?.Path,
            p.Binary?.Sha256,
            VirusTotalUrl(p.Binary?.Sha256),
            p.Args ?? [],
            p.ArgumentsTruncated ?? false,
            p.Pid,
            p.ParentPid,
            ParentChain(p, byPid)))];
    }

    /// <summary>Walks parentPid through the processes the finding lists; a cycle or unknown pid ends the walk.</summary>
    private static List<string> ParentChain(SccProcess process, Dictionary<long, SccProcess> byPid)
    {
        var chain = new List<string>();
        var visited = new HashSet<long>();
        var parentPid = process.ParentPid;
        while (parentPid is long pid && visited.Add(pid) && chain.Count < 32)
        {
            if (byPid.TryGetValue(pid, out var parent))
            {
                chain.Add($"{parent.Binary?.Path ?? parent.Name ?? "?"} (pid {pid})");
                parentPid = parent.ParentPid;
            }
            else
            {
                chain.Add($"pid {pid} (not in the finding)");
                break;
            }
        }

        return chain;
    }

    /// <summary>Only a well-formed SHA-256 becomes a link, so hostile text cannot shape the URL.</summary>
    public static string? VirusTotalUrl(string? sha256) =>
        sha256 is { Length: 64 } && sha256.All(char.IsAsciiHexDigit)
            ? $"https://www.virustotal.com/gui/file/{sha256.ToLowerInvariant()}"
            : null;

    private static NetworkFacts Network(SccFinding finding)
    {
        var connection = finding.Connections?.FirstOrDefault();
        return new NetworkFacts(
            Text(finding, RemoteIpKey) ?? connection?.DestinationIp,
            Port(finding, RemotePortKey) ?? connection?.DestinationPort,
            Text(finding, LocalIpKey) ?? connection?.SourceIp,
            Port(finding, LocalPortKey) ?? connection?.SourcePort);
    }

    private static ContainerFacts Container(SccFinding finding)
    {
        var container = finding.Containers?.FirstOrDefault();
        return new ContainerFacts(container?.Name, Text(finding, ImageKey) ?? container?.Uri, container?.ImageId);
    }

    private static ResourceFacts Resource(SccFinding finding, SccResource? resource)
    {
        var fullName = resource?.Name ?? finding.ResourceName;
        var target = CloudRunTarget.TryParse(fullName) ?? CloudRunTarget.TryParse(finding.ResourceName);
        var projectNumber = resource?.ProjectAnyVersion is { } project ? project[(project.LastIndexOf('/') + 1)..] : null;
        return new ResourceFacts(
            fullName,
            resource?.Type,
            target?.Project,
            projectNumber,
            resource?.ProjectDisplayNameAnyVersion,
            target?.Kind.ToString().ToLowerInvariant(),
            target?.Kind == CloudRunKind.Service ? target.Name : null,
            target?.Revision,
            target?.Kind == CloudRunKind.Job ? target.Name : null,
            target?.Location ?? resource?.Location);
    }

    /// <summary>sourceProperties values are any JSON value; ports have been seen as strings and numbers.</summary>
    private static string? Text(SccFinding finding, string key) =>
        finding.SourceProperties?.TryGetValue(key, out var value) == true
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private static int? Port(SccFinding finding, string key) =>
        int.TryParse(Text(finding, key), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
            ? port
            : null;
}
