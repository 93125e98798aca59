using System.Text.Json;
using ReverseShellFunction.Collect.GoogleApis;

namespace ReverseShellFunction.Collect.Logs;

/// <summary>Cloud Logging v2 <c>entries:list</c> over REST; small so an official client can replace it.</summary>
public sealed class LoggingApi
{
    /// <summary>The API's maximum page size.</summary>
    public const int MaxPageSize = 1000;

    public const string OrderBy = "timestamp asc";

    private readonly GoogleApiClient _client;
    private readonly string _root;

    public LoggingApi(GoogleApiClient client, string root)
    {
        _client = client;
        _root = root;
    }

    public GoogleApiClient Client => _client;

    /// <summary>One page: <c>{ "entries": [LogEntry], "nextPageToken" }</c>; entries may be empty while a token says "keep going".</summary>
    public Task<JsonDocument> ListPageAsync(string project, string filter, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        using (var writer = new Utf8JsonWriter(body, JsonEvidence.Compact))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("resourceNames");
            writer.WriteStringValue($"projects/{project}");
            writer.WriteEndArray();
            writer.WriteString("filter", filter);
            writer.WriteString("orderBy", OrderBy);
            writer.WriteNumber("pageSize", pageSize);
            if (pageToken is not null)
            {
                writer.WriteString("pageToken", pageToken);
            }

            writer.WriteEndObject();
        }

        return _client.PostJsonAsync(ApiUri.Build(_root, ["v2", "entries:list"]), body.ToArray(), cancellationToken);
    }

    public string Describe(string project, string filter) =>
        $"POST {_root}/v2/entries:list resourceNames=[projects/{project}] orderBy=\"{OrderBy}\" filter={filter}";
}
