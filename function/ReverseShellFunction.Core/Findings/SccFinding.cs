using System.Text.Json;

namespace ReverseShellFunction.Findings;

/// <summary>
/// The parts of an SCC v1/v2 <c>Finding</c> the function reads. Unknown members are ignored on purpose:
/// the API adds fields all the time, and the verbatim bytes are kept separately as evidence.
/// </summary>
public sealed record SccFinding
{
    public string? Name { get; init; }
    public string? CanonicalName { get; init; }
    public string? Parent { get; init; }
    public string? ResourceName { get; init; }
    public string? State { get; init; }
    public string? Category { get; init; }
    public string? Severity { get; init; }
    public string? Mute { get; init; }
    public string? FindingClass { get; init; }
    public string? EventTime { get; init; }
    public string? CreateTime { get; init; }
    public string? Description { get; init; }
    public string? ParentDisplayName { get; init; }
    public string? ExternalUri { get; init; }
    public Dictionary<string, JsonElement>? SourceProperties { get; init; }
    public List<SccProcess>? Processes { get; init; }
    public List<SccContainer>? Containers { get; init; }
    public List<SccConnection>? Connections { get; init; }
    public SccIndicator? Indicator { get; init; }
    public SccMitreAttack? MitreAttack { get; init; }

    /// <summary>The finding's security marks as the notification carries them (this function writes some, see FindingMark).</summary>
    public SccSecurityMarks? SecurityMarks { get; init; }
}

/// <summary><c>securityMarks</c>: its resource name and the user-managed key/value marks.</summary>
public sealed record SccSecurityMarks(string? Name, Dictionary<string, string>? Marks);

/// <summary>One process of the finding (<c>processes[]</c>); int64 fields arrive as JSON strings.</summary>
public sealed record SccProcess(
    string? Name, SccFile? Binary, SccFile? Script, List<string>? Args, bool? ArgumentsTruncated, long? Pid, long? ParentPid, long? UserId);

/// <summary>A file reference: path and the SHA-256 of its first <see cref="HashedSize"/> bytes.</summary>
public sealed record SccFile(string? Path, long? Size, string? Sha256, long? HashedSize, bool? PartiallyHashed);

/// <summary>The container the process ran in: image URI as configured and the digest if reported.</summary>
public sealed record SccContainer(string? Name, string? Uri, string? ImageId);

/// <summary>A network connection of the finding.</summary>
public sealed record SccConnection(string? DestinationIp, int? DestinationPort, string? SourceIp, int? SourcePort, string? Protocol);

/// <summary>Indicators of compromise attached to the finding.</summary>
public sealed record SccIndicator(List<string>? IpAddresses, List<string>? Domains);

/// <summary>MITRE ATT&amp;CK enum names as SCC reports them.</summary>
public sealed record SccMitreAttack(string? PrimaryTactic, List<string>? PrimaryTechniques, List<string>? AdditionalTactics, List<string>? AdditionalTechniques, string? Version);
