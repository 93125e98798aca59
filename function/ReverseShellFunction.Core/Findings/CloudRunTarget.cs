namespace ReverseShellFunction.Findings;

/// <summary>What kind of Cloud Run resource a finding names.</summary>
public enum CloudRunKind
{
    Service,
    Job,
}

/// <summary>
/// The Cloud Run resource behind a finding, parsed from its full resource name
/// (<c>//run.googleapis.com/projects/P/locations/L/services/S[/revisions/R]</c> or <c>.../jobs/J[/executions/E]</c>).
/// <see cref="Project"/> may be a project id or number: the APIs accept both.
/// </summary>
public sealed record CloudRunTarget(
    string Project,
    string Location,
    CloudRunKind Kind,
    string Name,
    string? Revision,
    string? Execution)
{
    private const string Prefix = "//run.googleapis.com/";

    /// <summary>The relative name of the service or job: <c>projects/P/locations/L/services/S</c>.</summary>
    public string RelativeName =>
        $"projects/{Project}/locations/{Location}/{(Kind == CloudRunKind.Service ? "services" : "jobs")}/{Name}";

    public static CloudRunTarget? TryParse(string? fullResourceName)
    {
        if (fullResourceName is null || !fullResourceName.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = fullResourceName[Prefix.Length..].Split('/');
        if (parts.Length < 6 || parts[0] != "projects" || parts[2] != "locations" || parts[4] is not ("services" or "jobs")
            || parts.Take(6).Any(part => part.Length == 0))
        {
            return null;
        }

        var kind = parts[4] == "services" ? CloudRunKind.Service : CloudRunKind.Job;
        string? child = parts.Length >= 8 && parts[7].Length > 0 ? parts[7] : null;
        string? revision = kind == CloudRunKind.Service && parts.Length >= 8 && parts[6] == "revisions" ? child : null;
        string? execution = kind == CloudRunKind.Job && parts.Length >= 8 && parts[6] == "executions" ? child : null;
        return new CloudRunTarget(parts[1], parts[3], kind, parts[5], revision, execution);
    }
}
