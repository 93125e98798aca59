using System.Globalization;
using System.Text.Json;
using ReverseShellFunction.Collect.GoogleApis;

namespace ReverseShellFunction.Collect.Scc;

/// <summary>Security Command Center v2 ListFindings over REST; small so an official client can replace it.</summary>
public sealed class SccFindingsApi
{
    /// <summary>The API's maximum page size.</summary>
    public const int MaxPageSize = 1000;

    private readonly GoogleApiClient _client;
    private readonly string _root;

    public SccFindingsApi(GoogleApiClient client, string root)
    {
        _client = client;
        _root = root;
    }

    public GoogleApiClient Client => _client;

    /// <summary>One page: <c>{ "listFindingsResults": [{finding, resource}], "nextPageToken", "totalSize" }</c>.</summary>
    public Task<JsonDocument> ListPageAsync(string parent, string filter, string orderBy, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        var uri = ApiUri.Build(
            _root,
            ["v2", .. ApiUri.Split(parent), "findings"],
            [
                new("filter", filter),
                new("orderBy", orderBy),
                new("pageSize", pageSize.ToString(CultureInfo.InvariantCulture)),
                new("pageToken", pageToken),
            ]);
        return _client.GetJsonAsync(uri, cancellationToken);
    }

    public string Describe(string parent) => $"GET {_root}/v2/{parent}/findings";
}
