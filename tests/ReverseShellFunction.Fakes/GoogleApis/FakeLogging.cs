using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using static ReverseShellFunction.Fakes.GoogleApis.FakeGoogleData;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>
/// Cloud Logging v2 <c>POST /v2/entries:list</c>. Checks the body as the API does (known fields only,
/// resourceNames, pageSize 1..1000, orderBy), evaluates the filter against the fixtures, and pages with
/// empty pages that carry a token, as the real API does while it is still searching.
/// </summary>
internal sealed class FakeLogging
{
    public const string Path = "/v2/entries:list";

    private readonly FakeGoogleData _data;
    private readonly FakeGoogleApisOptions _options;
    private readonly FakePageTokens _tokens;

    // The fixtures never change, so each query's matches are computed once: paging through a large log is then
    // not quadratic in the fake, which would otherwise dominate a benchmark of the function's own work.
    private readonly ConcurrentDictionary<string, List<JsonObject>> _matches = new(StringComparer.Ordinal);

    public FakeLogging(FakeGoogleData data, FakeGoogleApisOptions options, FakePageTokens tokens)
    {
        _data = data;
        _options = options;
        _tokens = tokens;
    }

    /// <summary>Which fixture a body asks for: the audit log when its filter names it.</summary>
    public static FakeApi Classify(string? body) =>
        body is not null && body.Contains("cloudaudit.googleapis.com", StringComparison.Ordinal) ? FakeApi.AuditLogs : FakeApi.ContainerLogs;

    public async Task HandleAsync(HttpContext context, string body, FakeApi api)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await FakeResponses.NotFoundAsync(context, Path);
            return;
        }

        ListRequest request;
        FakeFilter filter;
        try
        {
            request = ListRequest.Parse(body);
            filter = FakeFilter.Parse(request.Filter);
        }
        catch (Exception ex) when (ex is JsonException or FakeFilterException or InvalidOperationException)
        {
            await FakeResponses.InvalidArgumentAsync(context, ex.Message);
            return;
        }

        if (request.ResourceNames.Any(n => n != $"projects/{ProjectId}" && n != $"projects/{ProjectNumber}"))
        {
            await FakeResponses.ErrorAsync(context, 403, "PERMISSION_DENIED", "The caller does not have permission");
            return;
        }

        var key = $"{api}|{request.Filter}|{request.OrderBy}";
        var state = new PageState(key, 0, _options.EmptyLogPages);
        if (request.PageToken is { } token && !_tokens.TryRedeem(token, key, out state))
        {
            await FakeResponses.InvalidArgumentAsync(context, "Invalid page token.");
            return;
        }

        var source = api == FakeApi.AuditLogs ? _data.AuditEntries : _data.ContainerEntries;
        var matches = _matches.GetOrAdd(key, _ =>
        {
            var found = source.Where(e => filter.Matches(field => Field(e, field), (name, arg) => Function(e, name, arg)));
            return [.. request.OrderBy == "timestamp desc" ? found.OrderByDescending(Timestamp, StringComparer.Ordinal) : found.OrderBy(Timestamp, StringComparer.Ordinal)];
        });

        var answer = new JsonObject();
        if (state.EmptyPageFirst && state.Offset < matches.Count)
        {
            answer["entries"] = new JsonArray();
            answer["nextPageToken"] = _tokens.Issue(key, state.Offset);
        }
        else
        {
            var page = matches.Skip(state.Offset).Take(Math.Min(request.PageSize, _options.LogPageSize)).ToList();
            answer["entries"] = new JsonArray([.. page.Select(e => e.DeepClone())]);
            if (state.Offset + page.Count < matches.Count)
            {
                answer["nextPageToken"] = _tokens.Issue(key, state.Offset + page.Count, _options.EmptyLogPages);
            }
        }

        await FakeResponses.JsonAsync(context, answer);
    }

    private static string Timestamp(JsonObject entry) => entry["timestamp"]!.GetValue<string>();

    /// <summary>A dotted path; a segment may itself hold dots (a quoted label key), so the longest known key wins.</summary>
    private static string? Field(JsonNode? node, string path)
    {
        while (node is JsonObject obj)
        {
            if (obj.TryGetPropertyValue(path, out var whole))
            {
                return whole is JsonValue v ? v.ToString() : whole?.ToJsonString();
            }

            var dot = path.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                return null;
            }

            node = obj[path[..dot]];
            path = path[(dot + 1)..];
        }

        return null;
    }

    private static bool Function(JsonObject entry, string name, string argument) => name switch
    {
        "log_id" => entry["logName"]?.GetValue<string>().EndsWith("/logs/" + argument.Replace("/", "%2F", StringComparison.Ordinal), StringComparison.Ordinal) == true,
        _ => throw new FakeFilterException($"Unknown function {name}."),
    };
}
