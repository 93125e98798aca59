using System.Text.Json.Nodes;
using static ReverseShellFunction.Fakes.GoogleApis.FakeGoogleData;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>Cloud Run v2 documents in the documented shapes, each with the planted secret as a literal env value.</summary>
internal static class FakeRunResources
{
    private const string Parent = $"projects/{ProjectId}/locations/{Location}";
    private const string ServiceName = $"{Parent}/services/{Service}";
    private const string JobName = $"{Parent}/jobs/{Job}";
    private const string Image = $"{Location}-docker.pkg.dev/{ProjectId}/services/{Service}:2026.11.3";

    public static Dictionary<string, JsonObject> Generate()
    {
        var documents = new Dictionary<string, JsonObject>(StringComparer.Ordinal) { [ServiceName] = ServiceDocument(), [JobName] = JobDocument() };
        foreach (var revision in new[] { LatestRevision, CanaryRevision, RetiredRevision })
        {
            documents[$"{ServiceName}/revisions/{revision}"] = Revision(revision);
        }

        documents[$"{JobName}/executions/{LatestExecution}"] = Execution();
        return documents;
    }

    private static JsonObject ServiceDocument() => new()
    {
        ["name"] = ServiceName,
        ["uid"] = "6c1e3f0a-93a5-4f55-bd2e-1f4c9b7c2a10",
        ["generation"] = "41",
        ["labels"] = new JsonObject { ["team"] = "payments" },
        ["createTime"] = "2026-03-02T09:12:44.120Z",
        ["updateTime"] = "2026-11-27T16:40:03.881Z",
        ["creator"] = "ci-deploy@shop-prod-4471.iam.gserviceaccount.com",
        ["lastModifier"] = "ci-deploy@shop-prod-4471.iam.gserviceaccount.com",
        ["ingress"] = "INGRESS_TRAFFIC_ALL",
        ["launchStage"] = "GA",
        ["template"] = Template(LatestRevision),
        ["traffic"] = Traffic(),
        ["trafficStatuses"] = Traffic(),
        ["latestReadyRevision"] = $"{ServiceName}/revisions/{LatestRevision}",
        ["latestCreatedRevision"] = $"{ServiceName}/revisions/{LatestRevision}",
        ["uri"] = "https://checkout-api-4hq2kz7x5q-ew.a.run.app",
        ["threatDetectionEnabled"] = true,
        ["etag"] = "\"CKX3l7oGEJj0ng4/cHJvamVjdHM\"",
    };

    private static JsonArray Traffic() =>
    [
        new JsonObject { ["type"] = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", ["revision"] = LatestRevision, ["percent"] = 90 },
        new JsonObject { ["type"] = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", ["revision"] = CanaryRevision, ["percent"] = 10 },
    ];

    private static JsonObject Template(string revision) => new()
    {
        ["revision"] = revision,
        ["serviceAccount"] = "checkout@shop-prod-4471.iam.gserviceaccount.com",
        ["executionEnvironment"] = "EXECUTION_ENVIRONMENT_GEN2",
        ["timeout"] = "300s",
        ["maxInstanceRequestConcurrency"] = 80,
        ["containers"] = new JsonArray(Container()),
    };

    private static JsonObject Container() => new()
    {
        ["name"] = "checkout-api-1",
        ["image"] = Image,
        ["env"] = new JsonArray(
            new JsonObject { ["name"] = "DB_PASSWORD", ["value"] = PlantedSecret },
            new JsonObject
            {
                ["name"] = "STRIPE_KEY",
                ["valueSource"] = new JsonObject
                {
                    ["secretKeyRef"] = new JsonObject { ["secret"] = $"projects/{ProjectNumber}/secrets/stripe-key", ["version"] = "latest" },
                },
            },
            new JsonObject { ["name"] = "LOG_LEVEL", ["value"] = "info" }),
        ["ports"] = new JsonArray(new JsonObject { ["name"] = "http1", ["containerPort"] = 8080 }),
        ["resources"] = new JsonObject { ["limits"] = new JsonObject { ["cpu"] = "1000m", ["memory"] = "512Mi" }, ["cpuIdle"] = true },
    };

    private static JsonObject Revision(string name)
    {
        var template = Template(name);
        template.Remove("revision");
        var revision = new JsonObject
        {
            ["name"] = $"{ServiceName}/revisions/{name}",
            ["uid"] = $"uid-{name}",
            ["generation"] = "1",
            ["service"] = ServiceName,
            ["createTime"] = "2026-11-27T16:40:03.881Z",
            ["launchStage"] = "GA",
            ["logUri"] = $"https://console.cloud.google.com/logs/viewer?project={ProjectId}&resource=cloud_run_revision/service_name/{Service}/revision_name/{name}",

            // No "containerStatuses": Cloud Run Admin v2's Revision has no such field (run.v2 API definition).
        };
        foreach (var (key, value) in template.ToList())
        {
            template.Remove(key);
            revision[key] = value;
        }

        return revision;
    }

    private static JsonObject JobDocument() => new()
    {
        ["name"] = JobName,
        ["uid"] = "0d3c7a52-5d8e-4d42-9a51-2a7fd1cf9b61",
        ["generation"] = "7",
        ["launchStage"] = "GA",
        ["template"] = new JsonObject
        {
            ["taskCount"] = 1,
            ["template"] = new JsonObject { ["containers"] = new JsonArray(Container()), ["maxRetries"] = 3, ["timeout"] = "600s" },
        },
        ["executionCount"] = 12,
        ["latestCreatedExecution"] = new JsonObject
        {
            ["name"] = $"{JobName}/executions/{LatestExecution}",
            ["createTime"] = "2026-11-28T21:00:00.000Z",
        },
    };

    private static JsonObject Execution() => new()
    {
        ["name"] = $"{JobName}/executions/{LatestExecution}",
        ["job"] = Job,
        ["taskCount"] = 1,
        ["template"] = new JsonObject { ["containers"] = new JsonArray(Container()), ["maxRetries"] = 3 },
        ["runningCount"] = 1,
    };
}
