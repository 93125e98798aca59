using System.Text.Json;
using ReverseShellFunction.Collectors;
using ReverseShellFunction.Collectors.Logs;
using ReverseShellFunction.Infrastructure.GoogleApis;

namespace ReverseShellFunction.Infrastructure.Logging;

/// <summary>Cloud Logging v2 <c>entries:list</c> over REST; small so an official client can replace it.</summary>
public sealed class LoggingApi(GoogleApiClient client, string root, LogReadCoalescer? coalescer = null)
{
    /// <summary>The API's maximum page size.</summary>
    public const int MaxPageSize = 1000;

    public const string OrderBy = "timestamp asc";

    // Compact, with the evidence's relaxed escaping (the coalescer keys on these bytes); no pageToken on the first page.
    private static readonly JsonSerializerOptions s_body = new()
    {
        Encoder = JsonEvidence.Compact.Encoder,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly LogReadCoalescer _coalescer = coalescer ?? new LogReadCoalescer(TimeProvider.System) { Enabled = false };

    public GoogleApiClient Client => client;

    public LogReadCoalescer Coalescer => _coalescer;

    /// <summary>
    /// One page: <c>{ "entries": [LogEntry], "nextPageToken" }</c>; entries may be empty while a token says "keep going".
    /// Identical requests in this instance share one read (<see cref="LogReadCoalescer"/>). With
    /// <paramref name="userProject"/> the read is charged to that project's quota (<c>x-goog-user-project</c>).
    /// </summary>
    public async Task<JsonDocument> ListPageAsync(string project, string filter, int pageSize, string? pageToken, string? userProject, CancellationToken cancellationToken)
    {
        var body = Body(project, filter, pageSize, pageToken);
        var uri = ApiUri.Build(root, ["v2", "entries:list"]);
        var key = $"{userProject}\n{Convert.ToBase64String(body)}";
        var page = await _coalescer.GetAsync(key, token => client.PostForBytesAsync(uri, body, userProject, token), cancellationToken);
        return JsonDocument.Parse(page.AsSequence(), GoogleApiClient.DocumentOptions);
    }

    public string Describe(string project, string filter) =>
        $"POST {root}/v2/entries:list resourceNames=[projects/{project}] orderBy=\"{OrderBy}\" filter={filter}";

    private static byte[] Body(string project, string filter, int pageSize, string? pageToken) =>
        JsonSerializer.SerializeToUtf8Bytes(new { resourceNames = new[] { $"projects/{project}" }, filter, orderBy = OrderBy, pageSize, pageToken }, s_body);
}
