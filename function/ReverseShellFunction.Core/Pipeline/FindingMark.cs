using ReverseShellFunction.Bundle;
using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// Security marks that lead from the finding in SCC's console to its bundle: the bundle id, where it is and its
/// SHA-256. Writing them makes SCC notify again about the same finding; <see cref="IsOwnFollowUp"/> recognises that
/// notification, so it is acknowledged without a new bundle and without writing the marks again (no loop).
/// </summary>
/// <param name="ProjectSecurityMarksName">
/// The same SecurityMarks through the finding's project (<c>projects/P/sources/…/securityMarks</c>), the form a
/// project-scope grant covers; null when the finding's project is not known.
/// </param>
public sealed record FindingMark(string FindingName, string SecurityMarksName, string BundleId, string ObjectUri, string Sha256, string? ProjectSecurityMarksName = null)
{
    // SCC's rules: keys of letters, digits, underscores or dashes, compared without case.
    public const string BundleKey = "reverse_shell_evidence_bundle";
    public const string UriKey = "reverse_shell_evidence_uri";
    public const string Sha256Key = "reverse_shell_evidence_sha256";

    public IReadOnlyDictionary<string, string> Marks => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [BundleKey] = BundleId,
        [UriKey] = ObjectUri,
        [Sha256Key] = Sha256,
    };

    /// <summary>The marks of a stored bundle; the SecurityMarks resource is the finding's name + "/securityMarks".</summary>
    /// <param name="findingName">The finding's name as stored (not the display form in <paramref name="stored"/>).</param>
    /// <param name="stored">What was stored and where.</param>
    /// <param name="projectNumber">The finding's project (from its resource), for the project form of the name.</param>
    public static FindingMark For(string findingName, BundleNotification stored, string? projectNumber = null)
    {
        ArgumentNullException.ThrowIfNull(findingName);
        ArgumentNullException.ThrowIfNull(stored);
        return new FindingMark(findingName, findingName + "/securityMarks", stored.BundleId, stored.ObjectUri, stored.Sha256, ProjectForm(findingName, projectNumber) is { } project ? project + "/securityMarks" : null);
    }

    /// <summary>
    /// <c>organizations/O/sources/S/…/findings/F</c> as <c>projects/P/sources/S/…/findings/F</c>: the name a
    /// finding of a project's resource also has (its canonicalName), under the project's own resource hierarchy.
    /// </summary>
    public static string? ProjectForm(string findingName, string? projectNumber)
    {
        ArgumentNullException.ThrowIfNull(findingName);
        var parts = findingName.Split('/');
        if (parts is ["projects", _, "sources", ..])
        {
            return findingName;
        }

        return parts is ["organizations" or "folders", _, "sources", ..] && projectNumber is { Length: > 0 } && !projectNumber.Contains('/', StringComparison.Ordinal)
            ? $"projects/{projectNumber}/{string.Join('/', parts[2..])}"
            : null;
    }

    /// <summary>
    /// True when the finding already carries this function's mark for this very event: the notification SCC sends
    /// because the marks were written. A later event of the same finding keeps the old marks but has a new event
    /// time, so a new bundle id, and is collected.
    /// </summary>
    public static bool IsOwnFollowUp(SccFinding finding, BundleId id)
    {
        ArgumentNullException.ThrowIfNull(finding);
        ArgumentNullException.ThrowIfNull(id);
        return finding.SecurityMarks?.Marks is { } marks
            && marks.Any(m => string.Equals(m.Key, BundleKey, StringComparison.OrdinalIgnoreCase)
                && string.Equals(m.Value?.Trim(), id.Value, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>Writes <see cref="FindingMark"/> on the finding (SCC's updateSecurityMarks); optional.</summary>
public interface IFindingMarker
{
    Task MarkAsync(FindingMark mark, CancellationToken cancellationToken);
}
