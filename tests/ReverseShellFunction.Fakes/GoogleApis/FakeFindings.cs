using System.Globalization;
using System.Text.Json.Nodes;
using static ReverseShellFunction.Fakes.GoogleApis.FakeGoogleData;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>Related findings: the triggering one, <c>count</c> more within the hour, and decoys the filter must drop.</summary>
internal static class FakeFindings
{
    private static readonly string[] s_categories =
        ["Reverse Shell", "Execution: Added Binary Executed", "Malicious URL Observed", "Unexpected Child Shell"];

    public static List<JsonObject> Generate(int count)
    {
        var results = new List<JsonObject> { Result(FindingName, "Reverse Shell", EventTime, ServiceFullName) };
        for (var i = 0; i < count; i++)
        {
            // Spread over ±50 minutes, inside the default ±60 minute window.
            var time = EventTime.AddMinutes(-50 + (100.0 * i / Math.Max(1, count)));
            results.Add(Result(Name(i), s_categories[i % s_categories.Length], time, ServiceFullName));
        }

        results.Add(Result(Name(9001), "Reverse Shell", EventTime.AddHours(-3), ServiceFullName));
        results.Add(Result(Name(9002), "Reverse Shell", EventTime.AddHours(5), ServiceFullName));
        results.Add(Result(Name(9003), "Reverse Shell", EventTime, $"//run.googleapis.com/projects/{ProjectId}/locations/{Location}/services/other-api"));
        return results;
    }

    private static string Name(int i) =>
        $"organizations/{Organization}/sources/{Source}/locations/global/findings/rel{i.ToString("D5", CultureInfo.InvariantCulture)}";

    private static JsonObject Result(string name, string category, DateTimeOffset time, string resource) => new()
    {
        ["finding"] = new JsonObject
        {
            ["name"] = name,
            ["canonicalName"] = name.Replace($"organizations/{Organization}", $"projects/{ProjectNumber}", StringComparison.Ordinal),
            ["parent"] = name[..name.IndexOf("/findings/", StringComparison.Ordinal)],
            ["resourceName"] = resource,
            ["state"] = "ACTIVE",
            ["category"] = category,
            ["findingClass"] = "THREAT",
            ["severity"] = "HIGH",
            ["eventTime"] = Timestamp(time),
            ["createTime"] = Timestamp(time.AddSeconds(2)),
            ["sourceProperties"] = new JsonObject { ["Container_Image_Uri"] = $"{Location}-docker.pkg.dev/{ProjectId}/services/{Service}:2026.11.3" },
        },
        ["resource"] = new JsonObject
        {
            ["name"] = resource,
            ["displayName"] = resource[(resource.LastIndexOf('/') + 1)..],
            ["type"] = "google.cloud.run.Service",
            ["service"] = "run.googleapis.com",
            ["location"] = Location,
            ["gcpMetadata"] = new JsonObject
            {
                ["project"] = $"//cloudresourcemanager.googleapis.com/projects/{ProjectNumber}",
                ["projectDisplayName"] = ProjectId,
                ["organization"] = $"organizations/{Organization}",
            },
        },
    };

    internal static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
