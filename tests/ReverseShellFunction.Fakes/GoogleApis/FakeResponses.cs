using System.Globalization;
using System.Text.Json.Nodes;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>Answers in the Google shapes: JSON bodies and <c>{"error":{"code","message","status"}}</c> errors.</summary>
internal static class FakeResponses
{
    /// <summary>The <see cref="Definitions.ApiConformance"/> that checks this exchange, kept on the context.</summary>
    public const string Conformance = "ReverseShellFunction.Fakes.Conformance";

    public static async Task JsonAsync(HttpContext context, JsonNode body)
    {
        (context.Items[Conformance] as Definitions.ApiConformance)?.CheckAnswer(context, body);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    public static async Task ErrorAsync(HttpContext context, int code, string status, string message, TimeSpan? retryAfter = null)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json; charset=UTF-8";
        if (retryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        var body = new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status },
        };
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    /// <summary>Cloud Logging's answer past its read quota, with the ErrorInfo and Help details Google sends.</summary>
    public static async Task LoggingQuotaExceededAsync(HttpContext context, string consumer, int limit)
    {
        context.Response.StatusCode = 429;
        context.Response.ContentType = "application/json; charset=UTF-8";
        var body = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = 429,
                ["message"] = $"Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service 'logging.googleapis.com' for consumer 'project:{consumer}'.",
                ["status"] = "RESOURCE_EXHAUSTED",
                ["details"] = new JsonArray(
                    new JsonObject
                    {
                        ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
                        ["reason"] = "RATE_LIMIT_EXCEEDED",
                        ["domain"] = "googleapis.com",
                        ["metadata"] = new JsonObject
                        {
                            ["consumer"] = $"projects/{consumer}",
                            ["quota_limit"] = "ReadRequestsPerMinutePerProject",
                            ["quota_limit_value"] = limit.ToString(CultureInfo.InvariantCulture),
                            ["quota_location"] = "global",
                            ["quota_metric"] = "logging.googleapis.com/read_requests",
                            ["service"] = "logging.googleapis.com",
                        },
                    },
                    new JsonObject
                    {
                        ["@type"] = "type.googleapis.com/google.rpc.Help",
                        ["links"] = new JsonArray(new JsonObject
                        {
                            ["description"] = "Request a higher quota limit.",
                            ["url"] = "https://cloud.google.com/docs/quotas/help/request_increase",
                        }),
                    }),
            },
        };
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    /// <summary>
    /// Google's answer to a request its API does not define: 404 for a path no method serves, else 400
    /// INVALID_ARGUMENT with a <c>google.rpc.BadRequest</c> detail naming each problem.
    /// </summary>
    public static async Task NotInDefinitionAsync(HttpContext context, IReadOnlyList<string> problems, bool methodFound)
    {
        var code = methodFound ? 400 : 404;
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json; charset=UTF-8";
        var body = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = code,
                ["message"] = string.Join(" ", problems),
                ["status"] = methodFound ? "INVALID_ARGUMENT" : "NOT_FOUND",
                ["details"] = new JsonArray(new JsonObject
                {
                    ["@type"] = "type.googleapis.com/google.rpc.BadRequest",
                    ["fieldViolations"] = new JsonArray([.. problems.Select(p => (JsonNode)new JsonObject { ["description"] = p })]),
                }),
            },
        };
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    public static Task InvalidArgumentAsync(HttpContext context, string message) => ErrorAsync(context, 400, "INVALID_ARGUMENT", message);

    public static Task NotFoundAsync(HttpContext context, string what) =>
        ErrorAsync(context, 404, "NOT_FOUND", $"Resource '{what}' was not found");
}
