using System.Text.Json.Nodes;

namespace ReverseShellFunction.Fakes.Storage;

/// <summary>Small response helpers shared by the fake's handlers.</summary>
internal static class FakeHttp
{
    /// <summary>The <see cref="Definitions.ApiConformance"/> that checks this exchange, kept on the context.</summary>
    public const string Conformance = "ReverseShellFunction.Fakes.Storage.Conformance";

    public static async Task JsonAsync(HttpContext context, int statusCode, JsonNode body)
    {
        if (statusCode == 200)
        {
            (context.Items[Conformance] as Definitions.ApiConformance)?.CheckAnswer(context, body);
        }

        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    public static Task ErrorAsync(HttpContext context, int statusCode, string message) =>
        JsonAsync(context, statusCode, FakeObjectJson.Error(statusCode, message, Reason(statusCode)));

    /// <summary>Reads the whole request body; the fake keeps objects in memory anyway.</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }

    private static string Reason(int statusCode) => statusCode switch
    {
        304 => "notModified",
        400 => "invalid",
        403 => "forbidden",
        404 => "notFound",
        408 => "requestTimeout",
        412 => "conditionNotMet",
        429 => "rateLimitExceeded",
        503 => "backendError",
        _ => "error",
    };
}
