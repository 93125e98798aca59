using System.Globalization;
using System.Text.Json.Nodes;

namespace ReverseShellFunction.Tests.Support;

/// <summary>
/// A variant of the sample Reverse Shell notification: another finding id, event time, workload or category.
/// Defaults reproduce the sample as it is.
/// </summary>
public sealed record SampleEvent
{
    public string FindingId { get; init; } = "5f1c8e0a2b7d4e6f9a0b1c2d3e4f5a6b";
    public DateTimeOffset EventTime { get; init; } = DateTimeOffset.Parse("2026-11-28T21:14:07.482Z", CultureInfo.InvariantCulture);
    public string Project { get; init; } = "shop-prod-4471";
    public string Service { get; init; } = "checkout-api";
    public string Category { get; init; } = "Reverse Shell";

    /// <summary>Replaces the first process's arguments, e.g. with hostile terminal escapes.</summary>
    public IReadOnlyList<string>? Args { get; init; }

    public byte[] ToNotification()
    {
        var root = JsonNode.Parse(TestData.Sample("reverse-shell.notification.json"))!;
        var finding = root["finding"]!;
        var resourceName = $"//run.googleapis.com/projects/{Project}/locations/europe-west1/services/{Service}";
        finding["name"] = $"organizations/418230051457/sources/9347120561842215403/locations/global/findings/{FindingId}";
        finding["eventTime"] = EventTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        finding["resourceName"] = resourceName;
        finding["category"] = Category;
        root["resource"]!["name"] = resourceName;
        if (Args is not null)
        {
            finding["processes"]![0]!["args"] = new JsonArray([.. Args.Select(a => (JsonNode)JsonValue.Create(a)!)]);
        }

        return System.Text.Encoding.UTF8.GetBytes(root.ToJsonString());
    }
}
