using ReverseShellFunction.Bundle;
using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// Security marks that lead from the finding in SCC's console to its bundle: the bundle id, where it is and its
/// SHA-256. Writing them makes SCC notify again about the same finding; <see cref="IsOwnFollowUp"/> recognises that
/// notification, so it is acknowledged without a new bundle and without writing the marks again (no loop).
/// </summary>
public sealed record FindingMark(string FindingName, string SecurityMarksName, string BundleId, string ObjectUri, string Sha256)
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
    public static FindingMark For(string findingName, BundleNotification stored)
    {
        ArgumentNullException.ThrowIfNull(findingName);
        ArgumentNullException.ThrowIfNull(stored);
        return new FindingMark(findingName, findingName + "/securityMarks", stored.BundleId, stored.ObjectUri, stored.Sha256);
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
