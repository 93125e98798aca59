using System.Text.RegularExpressions;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Infrastructure.Scc;

/// <summary>
/// Where to list findings for a finding event: a ListFindings parent that searches every source (<c>-</c>) in the
/// finding's location, under what the deployment may read (<see cref="SccScope"/>), and that location.
/// </summary>
/// <param name="Name">e.g. <c>projects/602115830917/sources/-/locations/global</c>.</param>
/// <param name="Location">The finding's SCC location; <c>global</c> unless data residency is on.</param>
public sealed partial record SccParent(string Name, string Location)
{
    public const string GlobalLocation = "global";

    /// <summary>
    /// Project scope takes the project from <c>canonicalName</c> (the closest CRM ancestor, projects/NUMBER/…), a
    /// <c>projects/</c> name, or, when the finding carries neither, the resource's project
    /// (<c>resource.gcpMetadata.project</c> in v2, <c>resource.project</c> in v1). Organization scope takes the organization from the name, or the
    /// resource's organization. v1 names have no <c>locations/</c> segment: v1 findings are the global ones, and
    /// <c>locations/global</c> is written out so the stored query says what was searched. Null when the finding
    /// gives no such parent or names a location that is not a plain location name.
    /// </summary>
    public static SccParent? For(SccFinding finding, SccResource? resource, SccScope scope)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var location = LocationOf(finding.Name) ?? LocationOf(finding.CanonicalName) ?? GlobalLocation;
        if (!LocationName().IsMatch(location))
        {
            return null;
        }

        var ancestor = scope switch
        {
            SccScope.Project => Ancestor(finding.CanonicalName, "projects") ?? Ancestor(finding.Name, "projects") ?? Project(resource?.ProjectAnyVersion),
            _ => Ancestor(finding.Name, "organizations") ?? Organization(resource?.OrganizationAnyVersion),
        };
        return ancestor is null ? null : new SccParent($"{ancestor}/sources/-/locations/{location}", location);
    }

    /// <summary>True for a location that may become part of a host name: lower-case letters, digits and hyphens.</summary>
    public static bool IsLocationName(string location) => LocationName().IsMatch(location);

    private static string? Ancestor(string? findingName, string kind)
    {
        var parts = findingName?.Split('/');
        return parts is [var k, { Length: > 0 } id, "sources", { Length: > 0 }, ..] && k == kind && SafeId().IsMatch(id) ? $"{kind}/{id}" : null;
    }

    /// <summary>
    /// <c>projects/ID</c> from a resource's project, a full resource name
    /// (<c>//cloudresourcemanager.googleapis.com/projects/NUMBER</c>) or a plain <c>projects/ID</c>; null otherwise.
    /// </summary>
    public static string? Project(string? name)
    {
        const string crm = "//cloudresourcemanager.googleapis.com/";
        var relative = name?.StartsWith(crm, StringComparison.Ordinal) == true ? name[crm.Length..] : name;
        return relative?.Split('/') is ["projects", { } id] && SafeId().IsMatch(id) ? $"projects/{id}" : null;
    }

    private static string? Organization(string? name) =>
        name?.Split('/') is ["organizations", { } id] && SafeId().IsMatch(id) ? $"organizations/{id}" : null;

    /// <summary>The location a finding (or securityMarks) name carries, or null for the older location-free names.</summary>
    internal static string? LocationOf(string? findingName) =>
        findingName?.Split('/') is [_, _, "sources", _, "locations", { Length: > 0 } location, "findings", ..] ? location : null;

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex LocationName();

    // Project ids and numbers, organization numbers: never a character that changes the request path.
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex SafeId();
}
