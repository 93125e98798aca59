namespace ReverseShellFunction.Findings;

/// <summary>
/// The resource tied to a finding. v2 nests project data under <c>gcpMetadata</c>; v1 has it flat on the
/// resource. Both shapes deserialize into this record and <see cref="ProjectDisplayNameAnyVersion"/> hides it.
/// </summary>
public sealed record SccResource
{
    public string? Name { get; init; }
    public string? DisplayName { get; init; }
    public string? Type { get; init; }
    public string? Location { get; init; }
    public string? Service { get; init; }
    public SccGcpMetadata? GcpMetadata { get; init; }

    // v1 shape: flat fields.
    public string? Project { get; init; }
    public string? ProjectDisplayName { get; init; }
    public string? Organization { get; init; }

    public string? ProjectAnyVersion => GcpMetadata?.Project ?? Project;

    public string? ProjectDisplayNameAnyVersion => GcpMetadata?.ProjectDisplayName ?? ProjectDisplayName;

    public string? OrganizationAnyVersion => GcpMetadata?.Organization ?? Organization;
}

/// <summary>v2 <c>gcpMetadata</c> block of a resource.</summary>
public sealed record SccGcpMetadata(
    string? Project = null, string? ProjectDisplayName = null, string? Parent = null, string? ParentDisplayName = null, string? Organization = null);
