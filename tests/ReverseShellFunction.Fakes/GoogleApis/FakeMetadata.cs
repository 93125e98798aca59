using System.Text.Json.Nodes;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>
/// The metadata server as Google.Apis.Auth reaches it through GCE_METADATA_HOST. Seen from version 1.78:
/// <c>GET /</c> with <c>Metadata-Flavor: Google</c> to detect the server (the answer must carry the same header),
/// then <c>GET /computeMetadata/v1/instance/service-accounts/default/token?scopes=…</c>. The token endpoint
/// insists on the header, as the real server does; a few other values clients read are served too.
/// </summary>
internal sealed class FakeMetadata
{
    private const string Prefix = "/computeMetadata/v1/";
    private readonly FakeGoogleApisOptions _options;

    public FakeMetadata(FakeGoogleApisOptions options) => _options = options;

    public static bool Claims(string path) => path == "/" || path.StartsWith("/computeMetadata/", StringComparison.Ordinal);

    public async Task HandleAsync(HttpContext context)
    {
        context.Response.Headers["Metadata-Flavor"] = "Google";
        var path = context.Request.Path.Value!;
        if (path == "/")
        {
            await context.Response.WriteAsync("computeMetadata/\n", context.RequestAborted);
            return;
        }

        if (context.Request.Headers["Metadata-Flavor"] != "Google")
        {
            context.Response.StatusCode = 403;
            await context.Response.WriteAsync("Missing required header \"Metadata-Flavor\": \"Google\"\n", context.RequestAborted);
            return;
        }

        switch (path.StartsWith(Prefix, StringComparison.Ordinal) ? path[Prefix.Length..] : "")
        {
            case "instance/service-accounts/default/token":
                await FakeResponses.JsonAsync(context, new JsonObject
                {
                    ["access_token"] = _options.AccessToken,
                    ["expires_in"] = 3599,
                    ["token_type"] = "Bearer",
                });
                break;
            case "instance/service-accounts/default/email":
                await context.Response.WriteAsync("evidence-function@sec-tools-2231.iam.gserviceaccount.com", context.RequestAborted);
                break;
            case "universe/universe-domain" or "universe/universe_domain":
                await context.Response.WriteAsync("googleapis.com", context.RequestAborted);
                break;
            case "project/project-id":
                await context.Response.WriteAsync("sec-tools-2231", context.RequestAborted);
                break;
            default:
                context.Response.StatusCode = 404;
                await context.Response.WriteAsync("Not Found\n", context.RequestAborted);
                break;
        }
    }
}
