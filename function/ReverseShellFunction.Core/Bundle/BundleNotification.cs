using System.Text.Json;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// The small JSON message sent when a bundle is stored: enough to decide and to find the bundle (id, where it
/// is, whether its evidence is complete, the headline, severity, project, service), never the evidence itself.
/// Text from the finding is shown through DisplayText.Visible: a chat message is read by a person.
/// </summary>
public sealed record BundleNotification
{
    public const string CurrentSchema = "reverse-shell-evidence/notification/v1";

    public string Schema { get; init; } = CurrentSchema;
    public required string BundleId { get; init; }

    /// <summary>"complete", "pending" or "incomplete": the bundle's completeness word (see <see cref="State"/> for the detail).</summary>
    public required string Completeness { get; init; }

    /// <summary>"confirmed", "contradicted", "not-found" or "unchecked": whether SCC holds the finding as notified.</summary>
    public string Authenticity { get; init; } = StateWords.Unchecked;

    /// <summary>The bundle's state in the words every view uses, e.g. "contradicted (processes); pending p2 (due …)".</summary>
    public string State { get; init; } = StateWords.Unchecked;

    public required int CollectorsOk { get; init; }
    public required int Collectors { get; init; }
    public required string ObjectUri { get; init; }
    public required string IndexUri { get; init; }
    public required string Sha256 { get; init; }
    public required long Size { get; init; }
    public required string Headline { get; init; }
    public string? Severity { get; init; }
    public string? Category { get; init; }
    public string? Project { get; init; }
    public string? Service { get; init; }
    public string? Job { get; init; }
    public string? Location { get; init; }
    public required string FindingName { get; init; }

    /// <summary>Which part was stored: 1 at delivery, more at completions.</summary>
    public int Part { get; init; } = 1;
    public required DateTimeOffset EventTime { get; init; }

    public static BundleNotification For(IndexEntry entry, string storeLocation)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(storeLocation);
        var s = entry.Summary;
        var id = Bundle.BundleId.Parse(s.BundleId).WithPart(entry.Part ?? 1);
        var ok = s.Collectors.Count(c => c.Status == CollectorStatus.Ok && !c.Truncated);
        string? Show(string? text) => text is null ? null : DisplayText.Visible(text, 500);
        return new BundleNotification
        {
            BundleId = s.BundleId,
            // Entries from before parts existed state no completion: judged from their collectors, as then.
            Completeness = s.Completion is { } completion
                ? JsonSerializer.Serialize(completion.State, EvidenceJson.Options).Trim('"')
                : s.Collectors.Count > 0 && ok == s.Collectors.Count ? "complete" : "incomplete",
            Authenticity = StateWords.AuthenticityWord(s.Authenticity),
            State = DisplayText.Visible(StateWords.Line(s), 1000),
            Part = id.Part,
            CollectorsOk = ok,
            Collectors = s.Collectors.Count,
            ObjectUri = Uri(storeLocation, entry.Bundle.ObjectName),
            IndexUri = Uri(storeLocation, BundleLayout.IndexObject(id)),
            Sha256 = entry.Bundle.Sha256,
            Size = entry.Bundle.Size,
            Headline = DisplayText.Visible(SummaryHeadline.Shown(s), 1000),
            Severity = Show(s.Finding.Severity),
            Category = Show(s.Finding.Category),
            Project = Show(s.Resource.Project),
            Service = Show(s.Resource.Service),
            Job = Show(s.Resource.Job),
            Location = Show(s.Resource.Location),
            FindingName = DisplayText.Visible(s.Finding.Name, 1000),
            EventTime = s.Finding.EventTime,
        };
    }

    private static string Uri(string location, string objectName) => location.TrimEnd('/') + "/" + objectName;
}
