namespace ReverseShellFunction.Collect.Scc;

/// <summary>
/// The ListFindings parent that searches every source under the finding's organization, folder or project
/// in the finding's location: <c>organizations/O/sources/-/locations/L</c>.
/// </summary>
public static class SccParent
{
    /// <summary>
    /// From a finding name. v2 names carry <c>locations/L</c>; v1 names have none, and v1 findings are the
    /// global ones, so they get <c>locations/global</c> (the v2 API's default when a location is left out,
    /// written out so the stored query says what was searched).
    /// </summary>
    public static string? FromFindingName(string? findingName)
    {
        if (findingName is null)
        {
            return null;
        }

        var parts = findingName.Split('/');
        if (parts.Length < 6 || parts[0] is not ("organizations" or "folders" or "projects") || parts[2] != "sources"
            || parts[1].Length == 0)
        {
            return null;
        }

        var location = parts is [_, _, _, _, "locations", { Length: > 0 } l, "findings", ..] ? l : "global";
        return $"{parts[0]}/{parts[1]}/sources/-/locations/{location}";
    }
}
