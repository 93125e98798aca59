using static ReverseShellFunction.Fakes.GoogleApis.FakeGoogleData;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>
/// Cloud Run Admin v2 GETs of services, revisions, jobs and executions. The project may be given by id or
/// number, as the real API allows; anything unknown is a 404 in the API's words.
/// </summary>
internal sealed class FakeRun
{
    private readonly FakeGoogleData _data;

    public FakeRun(FakeGoogleData data) => _data = data;

    public static bool Claims(string path) => path.StartsWith("/v2/projects/", StringComparison.Ordinal);

    public async Task HandleAsync(HttpContext context)
    {
        var name = context.Request.Path.Value!["/v2/".Length..];
        var parts = name.Split('/');
        var known = parts.Length is 6 or 8
            && parts[2] == "locations"
            && (parts[4], parts.Length == 8 ? parts[6] : null) is ("services", null or "revisions") or ("jobs", null or "executions");
        if (!HttpMethods.IsGet(context.Request.Method) || !known)
        {
            await FakeResponses.NotFoundAsync(context, name);
            return;
        }

        if (parts[1] == ProjectNumber)
        {
            parts[1] = ProjectId;
        }

        if (_data.Documents.TryGetValue(string.Join('/', parts), out var document))
        {
            await FakeResponses.JsonAsync(context, document.DeepClone());
        }
        else
        {
            await FakeResponses.NotFoundAsync(context, name);
        }
    }
}
