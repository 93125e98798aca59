using System.Globalization;
using System.Text.Json.Nodes;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>Answers in the Google shapes: JSON bodies and <c>{"error":{"code","message","status"}}</c> errors.</summary>
internal static class FakeResponses
{
    public static async Task JsonAsync(HttpContext context, JsonNode body)
    {
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

    public static Task InvalidArgumentAsync(HttpContext context, string message) => ErrorAsync(context, 400, "INVALID_ARGUMENT", message);

    public static Task NotFoundAsync(HttpContext context, string what) =>
        ErrorAsync(context, 404, "NOT_FOUND", $"Resource '{what}' was not found");
}
