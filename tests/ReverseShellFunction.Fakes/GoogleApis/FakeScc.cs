using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static ReverseShellFunction.Fakes.GoogleApis.FakeGoogleData;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>
/// SCC v2 <c>GET /v2/{parent}/findings</c>: checks the parent shape, filter, orderBy, pageSize and token; and
/// <c>PATCH /v2/{finding}/securityMarks?updateMask=marks.KEY,…</c> with the documented key and value rules.
/// </summary>
internal sealed partial class FakeScc
{
    private static readonly Dictionary<string, Func<JsonObject, JsonNode?>> s_fields = new(StringComparer.Ordinal)
    {
        ["name"] = r => r["finding"]?["name"],
        ["parent"] = r => r["finding"]?["parent"],
        ["resource_name"] = r => r["finding"]?["resourceName"],
        ["state"] = r => r["finding"]?["state"],
        ["category"] = r => r["finding"]?["category"],
        ["severity"] = r => r["finding"]?["severity"],
        ["event_time"] = r => r["finding"]?["eventTime"],
        ["resource.name"] = r => r["resource"]?["name"],
        ["resource.type"] = r => r["resource"]?["type"],
        ["resource.display_name"] = r => r["resource"]?["displayName"],
    };

    private readonly FakeGoogleData _data;
    private readonly FakeGoogleApisOptions _options;
    private readonly FakePageTokens _tokens;

    public FakeScc(FakeGoogleData data, FakeGoogleApisOptions options, FakePageTokens tokens)
    {
        _data = data;
        _options = options;
        _tokens = tokens;
    }

    public static bool Claims(string path) =>
        path.StartsWith("/v2/", StringComparison.Ordinal) && (path.EndsWith("/findings", StringComparison.Ordinal) || path.EndsWith("/securityMarks", StringComparison.Ordinal));

    public async Task HandleAsync(HttpContext context, string? requestBody = null)
    {
        var path = context.Request.Path.Value!;
        if (_options.SccProjectGrantOnly && !path.StartsWith("/v2/projects/", StringComparison.Ordinal))
        {
            await FakeResponses.ErrorAsync(context, 403, "PERMISSION_DENIED", "The caller does not have permission");
            return;
        }

        if (path.EndsWith("/securityMarks", StringComparison.Ordinal))
        {
            await UpdateSecurityMarksAsync(context, path, requestBody);
            return;
        }

        var match = ParentShape().Match(path);
        if (!HttpMethods.IsGet(context.Request.Method) || !match.Success)
        {
            await FakeResponses.NotFoundAsync(context, path);
            return;
        }

        var query = context.Request.Query;
        if (!int.TryParse(query["pageSize"].FirstOrDefault() ?? "10", NumberStyles.None, CultureInfo.InvariantCulture, out var pageSize) || pageSize is < 1 or > 1000)
        {
            await FakeResponses.InvalidArgumentAsync(context, "page_size must be between 1 and 1000.");
            return;
        }

        var orderBy = query["orderBy"].FirstOrDefault() ?? "";
        // The API documents ascending as the default and only a " desc" suffix; "asc" is not part of the syntax.
        if (orderBy is not ("" or "event_time" or "event_time desc" or "name"))
        {
            await FakeResponses.InvalidArgumentAsync(context, $"Invalid order_by '{orderBy}'.");
            return;
        }

        FakeFilter filter;
        try
        {
            filter = FakeFilter.Parse(query["filter"].FirstOrDefault() ?? "");
            if (filter.Comparisons.FirstOrDefault(c => !s_fields.ContainsKey(c.Field)) is { } unknown)
            {
                throw new FakeFilterException($"Unknown field '{unknown.Field}'.");
            }
        }
        catch (FakeFilterException ex)
        {
            await FakeResponses.InvalidArgumentAsync(context, $"Invalid filter: {ex.Message}");
            return;
        }

        // A token continues only the listing that issued it: every other parameter, pageSize included, must repeat.
        var key = $"{path}?{query["filter"]}&{orderBy}&{pageSize}";
        var offset = 0;
        if (query["pageToken"].FirstOrDefault() is { Length: > 0 } token)
        {
            if (!_tokens.TryRedeem(token, key, out var state))
            {
                await FakeResponses.InvalidArgumentAsync(context, "Invalid page token.");
                return;
            }

            offset = state.Offset;
        }

        var matches = Select(match.Groups["scope"].Value, filter, orderBy);
        var page = matches.Skip(offset).Take(Math.Min(pageSize, _options.SccPageSize)).ToList();
        // proto3 JSON: no results means no "listFindingsResults" and no "totalSize" (0 is the default).
        var body = new JsonObject();
        if (page.Count > 0)
        {
            body["listFindingsResults"] = new JsonArray([.. page.Select(r => r.DeepClone())]);
        }

        if (matches.Count > 0)
        {
            body["totalSize"] = matches.Count;
        }

        if (offset + page.Count < matches.Count)
        {
            body["nextPageToken"] = _tokens.Issue(key, offset + page.Count);
        }

        await FakeResponses.JsonAsync(context, body);
    }

    private async Task UpdateSecurityMarksAsync(HttpContext context, string path, string? body)
    {
        var match = MarksShape().Match(path);
        if (!HttpMethods.IsPatch(context.Request.Method) || !match.Success)
        {
            await FakeResponses.NotFoundAsync(context, path);
            return;
        }

        var name = path["/v2/".Length..];
        var findingName = name[..^"/securityMarks".Length];
        // A finding is addressed by its name or by its canonicalName (the projects/… form a project grant covers).
        if (findingName != FindingName && findingName != FakeGoogleData.CanonicalName
            && !_data.Findings.Any(r => r["finding"]?["name"]?.GetValue<string>() == findingName || r["finding"]?["canonicalName"]?.GetValue<string>() == findingName))
        {
            await FakeResponses.ErrorAsync(context, 404, "NOT_FOUND", $"Requested entity was not found: {findingName}");
            return;
        }

        JsonObject? request;
        try
        {
            request = JsonNode.Parse(body ?? "") as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            request = null;
        }

        if (request?["marks"] is not JsonObject marks || (request["name"] is { } given && given.GetValue<string>() != name))
        {
            await FakeResponses.InvalidArgumentAsync(context, "Invalid JSON payload: expected SecurityMarks with its name and marks.");
            return;
        }

        // Documented: keys of 1-256 letters, digits, underscores or dashes; values 1-4096 characters after trimming.
        foreach (var (key, value) in marks)
        {
            if (!MarkKey().IsMatch(key) || value is not JsonValue v || !v.TryGetValue<string>(out var text) || text.Trim().Length is 0 or > 4096)
            {
                await FakeResponses.InvalidArgumentAsync(context, $"Invalid security mark '{key}'.");
                return;
            }
        }

        var mask = (context.Request.Query["updateMask"].FirstOrDefault() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (mask.Length != mask.Distinct(StringComparer.Ordinal).Count() || mask.Any(m => m != "marks" && !(m.StartsWith("marks.", StringComparison.Ordinal) && MarkKey().IsMatch(m["marks.".Length..]))))
        {
            await FakeResponses.InvalidArgumentAsync(context, "Invalid update_mask: fields must be \"marks\" or \"marks.<key>\", without duplicates.");
            return;
        }

        var stored = _data.SecurityMarks.GetOrAdd(name, _ => new JsonObject());
        lock (stored)
        {
            if (mask.Length == 0 || mask.Contains("marks"))
            {
                stored.Clear();
            }

            foreach (var (key, value) in marks)
            {
                if (mask.Length == 0 || mask.Contains("marks") || mask.Contains("marks." + key))
                {
                    stored[key] = value!.GetValue<string>().Trim();
                }
            }
        }

        await FakeResponses.JsonAsync(context, new JsonObject { ["name"] = name, ["marks"] = stored.DeepClone() });
    }

    private List<JsonObject> Select(string scope, FakeFilter filter, string orderBy)
    {
        // Only this organization and its project hold findings; another parent sees none.
        if (scope != $"organizations/{Organization}" && scope != $"projects/{ProjectId}" && scope != $"projects/{ProjectNumber}")
        {
            return [];
        }

        var matches = _data.Findings
            .Where(r => filter.Matches(field => s_fields.TryGetValue(field, out var get) ? get(r)?.GetValue<string>() : null, (_, _) => false))
            .ToList();
        var ordered = orderBy switch
        {
            "event_time" => matches.OrderBy(Time),
            "event_time desc" => matches.OrderByDescending(Time),
            _ => matches.OrderBy(r => r["finding"]!["name"]!.GetValue<string>(), StringComparer.Ordinal),
        };
        return [.. ordered];
    }

    private static DateTimeOffset Time(JsonObject result) =>
        DateTimeOffset.Parse(result["finding"]!["eventTime"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    [GeneratedRegex("^/v2/(organizations|folders|projects)/[^/]+/sources/[^/]+(/locations/[^/]+)?/findings/[^/]+/securityMarks$")]
    private static partial Regex MarksShape();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex MarkKey();

    [GeneratedRegex("^/v2/(?<scope>(organizations|folders|projects)/[^/]+)/sources/[^/]+(/locations/[^/]+)?/findings$")]
    private static partial Regex ParentShape();
}
