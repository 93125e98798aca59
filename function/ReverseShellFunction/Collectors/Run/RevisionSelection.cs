using System.Text.Json.Nodes;

namespace ReverseShellFunction.Collectors.Run;

/// <summary>
/// Which revisions of a service to fetch: the one the finding names, else the latest ready one and every
/// revision that serves traffic, since the shell may run in any of them.
/// </summary>
public static class RevisionSelection
{
    public static IReadOnlyList<string> For(string? namedRevision, JsonNode service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (namedRevision is not null)
        {
            return [namedRevision];
        }

        var names = new List<string?> { ShortName(Text(service["latestReadyRevision"])) };
        foreach (var list in (ReadOnlySpan<string>)["traffic", "trafficStatuses"])
        {
            if (service[list] is JsonArray targets)
            {
                // A LATEST target has no revision name: it is latestReadyRevision, already listed. A tagged
                // target serves at its tag URL even at 0 percent.
                names.AddRange(targets.Select(t => t is JsonObject target && (Percent(target) > 0 || Text(target["tag"]) is { Length: > 0 })
                    ? ShortName(Text(target["revision"]))
                    : null));
            }
        }

        return [.. names.OfType<string>().Where(n => n.Length > 0).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The last segment of <c>projects/P/locations/L/services/S/revisions/R</c>; short names pass unchanged.</summary>
    public static string? ShortName(string? name) => name is null ? null : name[(name.LastIndexOf('/') + 1)..];

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    // proto3 JSON leaves out a zero percent entirely, so a missing percent means 0.
    private static int Percent(JsonObject target) =>
        target["percent"] is JsonValue value && value.TryGetValue<int>(out var percent) ? percent : 0;
}
