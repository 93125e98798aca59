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

    // Reads per consumer project in the current minute of the fake's clock.
    private readonly Dictionary<string, (long Minute, int Count)> _quota = new(StringComparer.Ordinal);
    private readonly Lock _quotaLock = new();

    public FakeLogging(FakeGoogleData data, FakeGoogleApisOptions options, FakePageTokens tokens)
    {
        _data = data;
        _options = options;
        _tokens = tokens;
    }

    /// <summary>Which fixture a body asks for: the audit log when its filter names it.</summary>
    public static FakeApi Classify(string? body) =>
        body is not null && body.Contains("cloudaudit.googleapis.com", StringComparison.Ordinal) ? FakeApi.AuditLogs : FakeApi.ContainerLogs;

    /// <summary>Where a charged read's quota minute is left for the request log (<see cref="FakeRequest.QuotaMinute"/>).</summary>
    public const string QuotaMinuteItem = "fake-logging-quota-minute";

    public async Task HandleAsync(HttpContext context, string body, FakeApi api)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await FakeResponses.NotFoundAsync(context, Path);
            return;
        }

        // The quota is charged before the request is looked at, to the project x-goog-user-project names, or the caller's.
        var consumer = context.Request.Headers["x-goog-user-project"].FirstOrDefault() is { Length: > 0 } named ? named : _options.LoggingConsumerProject;
        if (!TryChargeQuota(consumer, context))
        {
            await FakeResponses.LoggingQuotaExceededAsync(context, consumer, _options.LoggingReadsPerMinute);
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

        // A token continues only the listing that issued it: Logging asks for identical parameters on every page.
        var key = $"{api}|{request.Filter}|{request.OrderBy}|{request.PageSize}|{string.Join(',', request.ResourceNames)}";
        var state = new PageState(key, 0, _options.EmptyLogPages);
        if (request.PageToken is { } token && !_tokens.TryRedeem(token, key, out state))
        {
            await FakeResponses.InvalidArgumentAsync(context, "Invalid page token.");
            return;
        }

        var source = api == FakeApi.AuditLogs ? _data.AuditEntries : _data.ContainerEntries;
        var matches = _matches.GetOrAdd($"{api}|{request.Filter}|{request.OrderBy}", _ =>
        {
            var found = source.Where(e => filter.Matches(field => Field(e, field), (name, arg) => Function(e, name, arg)));
            return [.. request.OrderBy == "timestamp desc" ? found.OrderByDescending(Timestamp, StringComparer.Ordinal) : found.OrderBy(Timestamp, StringComparer.Ordinal)];
        });

        // Only entries ingested by now: their timestamp plus the ingestion delay has passed.
        var readableUntil = FakeFindings.Timestamp(_options.Clock.GetUtcNow() - _options.LogIngestionDelay);
        matches = [.. matches.Where(e => string.CompareOrdinal(Timestamp(e), readableUntil) <= 0)];

        var answer = new JsonObject();
        if (state.EmptyPageFirst && state.Offset < matches.Count)
        {
            // An empty page is a page without "entries": proto3 JSON leaves an empty list out.
            answer["nextPageToken"] = _tokens.Issue(key, state.Offset);
        }
        else
        {
            var page = matches.Skip(state.Offset).Take(Math.Min(request.PageSize, _options.LogPageSize)).ToList();
            if (page.Count > 0)
            {
                answer["entries"] = new JsonArray([.. page.Select(e => e.DeepClone())]);
            }

            if (state.Offset + page.Count < matches.Count)
            {
                answer["nextPageToken"] = _tokens.Issue(key, state.Offset + page.Count, _options.EmptyLogPages);
            }
        }

        await FakeResponses.JsonAsync(context, answer);
    }

    /// <summary>Reads made so far in the current minute by <paramref name="consumer"/>.</summary>
    public int ReadsThisMinute(string consumer)
    {
        lock (_quotaLock)
        {
            return _quota.TryGetValue(consumer, out var used) && used.Minute == Minute() ? used.Count : 0;
        }
    }

    private bool TryChargeQuota(string consumer, HttpContext context)
    {
        if (_options.LoggingReadsPerMinute <= 0)
        {
            return true;
        }

        lock (_quotaLock)
        {
            var minute = Minute();
            var count = _quota.TryGetValue(consumer, out var used) && used.Minute == minute ? used.Count : 0;
            if (count >= _options.LoggingReadsPerMinute)
            {
                return false;
            }

            _quota[consumer] = (minute, count + 1);
            context.Items[QuotaMinuteItem] = minute;
            return true;
        }
    }

    private long Minute() => _options.Clock.GetUtcNow().ToUnixTimeSeconds() / 60;

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
