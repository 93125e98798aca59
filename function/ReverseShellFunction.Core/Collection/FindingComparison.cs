using System.Globalization;
using System.Text.Json;
using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Collection;

/// <summary>One field where two copies of a finding differ, each side as short readable text (raw: renderers escape it).</summary>
public sealed record FieldDifference(string Field, string Notification, string Scc);

/// <summary>
/// Compares a notification with SCC's current copy of the same finding, field by field: what a forger would change
/// to send responders the wrong way (category, severity, state, event time, resource, processes with their binaries
/// and hashes, connections, source properties). Absent and empty count as the same; the order of processes and
/// connections does not matter; source property values are compared as JSON values.
/// </summary>
public static class FindingComparison
{
    public const string Category = "category";
    public const string Severity = "severity";
    public const string State = "state";
    public const string EventTime = "event time";
    public const string Resource = "resource";
    public const string Processes = "processes";
    public const string Connections = "connections";
    public const string SourceProperties = "source properties";

    private const int MaxText = 1000;

    /// <summary>The fields that differ, in a fixed order; empty when the two agree.</summary>
    public static IReadOnlyList<FieldDifference> Compare(SccNotification notification, SccNotification scc)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(scc);
        var (a, b) = (notification.Finding, scc.Finding);
        var differences = new List<FieldDifference>();
        void Check(string field, string left, string right)
        {
            if (!string.Equals(left, right, StringComparison.Ordinal))
            {
                differences.Add(new FieldDifference(field, Bound(left), Bound(right)));
            }
        }

        Check(Category, a.Category ?? "", b.Category ?? "");
        Check(Severity, a.Severity ?? "", b.Severity ?? "");
        Check(State, a.State ?? "", b.State ?? "");
        Check(EventTime, Time(notification.EventTime), Time(scc.EventTime));
        Check(Resource, ResourceText(notification), ResourceText(scc));
        Check(Processes, Set(a.Processes?.Select(ProcessText)), Set(b.Processes?.Select(ProcessText)));
        Check(Connections, Set(a.Connections?.Select(ConnectionText)), Set(b.Connections?.Select(ConnectionText)));
        if (PropertiesDiffer(a.SourceProperties, b.SourceProperties, out var left, out var right))
        {
            differences.Add(new FieldDifference(SourceProperties, Bound(left), Bound(right)));
        }

        return differences;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string ResourceText(SccNotification n) =>
        n.Resource?.Name is { } name && name != n.Finding.ResourceName ? $"{n.Finding.ResourceName ?? "-"} (resource {name})" : n.Finding.ResourceName ?? n.Resource?.Name ?? "";

    private static string ProcessText(SccProcess p) => string.Join(' ', new[]
    {
        p.Binary?.Path ?? p.Name ?? "?",
        p.Binary?.Sha256 is { } sha ? $"sha256 {sha.ToLowerInvariant()}" : "no sha256",
        p.Script is { } script ? $"script {script.Path ?? "?"} sha256 {script.Sha256?.ToLowerInvariant() ?? "-"}" : null,
        p.Name is { } name && name != p.Binary?.Path ? $"name {name}" : null,
        p.Args is { Count: > 0 } args ? "args [" + string.Join(", ", args.Select(x => JsonSerializer.Serialize(x, Bundle.EvidenceJson.Options))) + "]" : null,
        p.Pid is { } pid ? $"pid {pid.ToString(CultureInfo.InvariantCulture)}" : null,
        p.ParentPid is { } parent ? $"parent {parent.ToString(CultureInfo.InvariantCulture)}" : null,
    }.OfType<string>());

    private static string ConnectionText(SccConnection c) => string.Create(
        CultureInfo.InvariantCulture,
        $"{c.Protocol ?? "?"} {c.SourceIp ?? "?"}:{c.SourcePort?.ToString(CultureInfo.InvariantCulture) ?? "?"} → {c.DestinationIp ?? "?"}:{c.DestinationPort?.ToString(CultureInfo.InvariantCulture) ?? "?"}");

    // Order-insensitive: SCC may list the same processes in another order.
    private static string Set(IEnumerable<string>? items) => items is null ? "" : string.Join("; ", items.Order(StringComparer.Ordinal));

    private static bool PropertiesDiffer(Dictionary<string, JsonElement>? a, Dictionary<string, JsonElement>? b, out string left, out string right)
    {
        a ??= [];
        b ??= [];
        var keys = a.Keys.Union(b.Keys, StringComparer.Ordinal)
            .Where(k => !(a.TryGetValue(k, out var x) && b.TryGetValue(k, out var y) && JsonElement.DeepEquals(x, y)))
            .Order(StringComparer.Ordinal)
            .ToList();
        string Side(Dictionary<string, JsonElement> side) =>
            string.Join("; ", keys.Select(k => side.TryGetValue(k, out var v) ? $"{k}={v.GetRawText()}" : $"{k} absent"));
        (left, right) = (Side(a), Side(b));
        return keys.Count > 0;
    }

    private static string Bound(string text) => text.Length <= MaxText ? text : string.Concat(text.AsSpan(0, MaxText - 1), "…");
}
