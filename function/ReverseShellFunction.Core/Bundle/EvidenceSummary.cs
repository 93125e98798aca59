using ReverseShellFunction.Collection;

namespace ReverseShellFunction.Bundle;

/// <summary>
/// <c>summary.json</c>: the facts a responder needs first, machine-readable. The index entry embeds it
/// unchanged, so <c>list</c> and <c>show</c> never open a bundle.
/// </summary>
public sealed record EvidenceSummary
{
    public const string CurrentSchema = "reverse-shell-evidence/summary/v1";

    public string Schema { get; init; } = CurrentSchema;
    public required string BundleId { get; init; }
    public required FindingFacts Finding { get; init; }
    public required IReadOnlyList<ProcessFacts> Processes { get; init; }
    public required NetworkFacts Network { get; init; }
    public required ContainerFacts Container { get; init; }
    public required ResourceFacts Resource { get; init; }
    public required IReadOnlyList<AttackReference> Mitre { get; init; }
    public required IReadOnlyList<CollectorOutcome> Collectors { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// One line: severity, category, workload, project, location, revision, event time, binary → remote. Raw text
    /// from the finding: every renderer passes it through DisplayText.Visible. Null in entries written before it existed.
    /// </summary>
    public string? Headline { get; init; }

    /// <summary>The workload as it ran, read from the bundle's Cloud Run documents and logs. Null in older entries.</summary>
    public WorkloadFacts? Workload { get; init; }

    /// <summary>Related findings (the triggering one excluded) grouped by category. Null in older entries.</summary>
    public IReadOnlyList<RelatedFindingGroup>? RelatedFindings { get; init; }

    /// <summary>
    /// Whether SCC holds the finding as notified (the <c>scc-finding</c> collector), for the whole bundle so far:
    /// the worst verdict over every notification the bundle recorded (<see cref="Notifications"/>); null when no
    /// check ran (read as <c>unchecked</c>).
    /// </summary>
    public FindingAuthenticity? Authenticity { get; init; }

    /// <summary>With <c>contradicted</c>: every field where a recorded notification and SCC's copy differ.</summary>
    public IReadOnlyList<string>? Contradicted { get; init; }

    /// <summary>
    /// Each notification this bundle recorded (part 1's, and any later delivery for the same finding event that
    /// differed from it) with its latest check against SCC. Null in entries written before it existed.
    /// </summary>
    public IReadOnlyList<NotificationCheck>? Notifications { get; init; }

    /// <summary>The bundle's state so far in the words every view uses (<see cref="StateWords.Line"/>). Null in older entries.</summary>
    public string? State { get; init; }

    /// <summary>Which part this is and what it leaves to a later one. Null in entries written before parts existed: complete.</summary>
    public CompletionState? Completion { get; init; }
}

public sealed record FindingFacts(
    string Name,
    string? Category,
    string? Severity,
    string? State,
    string? Mute,
    string? FindingClass,
    DateTimeOffset EventTime,
    string? CreateTime,
    string? Description,
    string? NotificationConfigName);

/// <summary>A process of the finding; <see cref="ParentChain"/> walks parentPid through the finding's processes.</summary>
public sealed record ProcessFacts(
    string? Name,
    string? BinaryPath,
    string? BinarySha256,
    string? VirusTotalUrl,
    IReadOnlyList<string> Args,
    bool ArgumentsTruncated,
    long? Pid,
    long? ParentPid,
    IReadOnlyList<string> ParentChain);

public sealed record NetworkFacts(string? RemoteIp, int? RemotePort, string? LocalIp, int? LocalPort)
{
    public string? Remote => RemoteIp is null ? null : Endpoint(RemoteIp, RemotePort);

    public string? Local => LocalIp is null ? null : Endpoint(LocalIp, LocalPort);

    // IPv6 literals are bracketed so the port stays unambiguous.
    private static string Endpoint(string ip, int? port) =>
        port is null ? ip : ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]:{port}" : $"{ip}:{port}";
}

public sealed record ContainerFacts(string? Name, string? ImageUri, string? ImageId);

public sealed record ResourceFacts(
    string? FullName,
    string? Type,
    string? Project,
    string? ProjectNumber,
    string? ProjectDisplayName,
    string? Kind,
    string? Service,
    string? Revision,
    string? Job,
    string? Location);

/// <summary>An ATT&amp;CK tactic or technique; <see cref="Source"/> is "finding" or "guidance".</summary>
public sealed record AttackReference(string Kind, string? Id, string Name, string? Url, string Source);

/// <summary>One collector's latest outcome in the bundle; <see cref="Part"/> is the part it came from (null in older entries: this part).</summary>
public sealed record CollectorOutcome(string Name, CollectorStatus Status, string? Reason, long? ItemCount, bool Truncated)
{
    public int? Part { get; init; }
}

/// <summary>A notification the bundle recorded (in <see cref="Part"/>, by the SHA-256 of its bytes) and what SCC said of it.</summary>
public sealed record NotificationCheck(int Part, string Sha256, FindingAuthenticity? Authenticity)
{
    public IReadOnlyList<string>? Contradicted { get; init; }
}

/// <summary>
/// The revision and its configuration. <see cref="RevisionSource"/> says where the revision name came from
/// ("finding", "container logs", "latest ready revision"), because a finding on a service names none.
/// </summary>
public sealed record WorkloadFacts(
    string? Revision,
    string? RevisionSource,
    IReadOnlyList<string> OtherRevisionsInLogs,
    string? Image,
    string? ImageDigest,
    string? ServiceAccount,
    string? Ingress,
    string? VpcNetwork,
    string? VpcEgress,
    WorkloadChange? LastChange,
    int AuditEntryCount);

/// <summary>Who last changed the workload and how: from the newest admin-activity audit entry, else the service's lastModifier.</summary>
public sealed record WorkloadChange(DateTimeOffset? Time, string? Principal, string? Method, string Source);

/// <summary>Related findings of one category; offsets are seconds from the triggering event (negative: before).</summary>
public sealed record RelatedFindingGroup(string Category, int Count, long? FirstOffsetSeconds, long? LastOffsetSeconds, IReadOnlyList<string> Severities);
