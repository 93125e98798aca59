using System.Globalization;
using System.Text.Json;
using ReverseShellFunction.Infrastructure.GoogleApis;

namespace ReverseShellFunction.Infrastructure.Scc;

/// <summary>Security Command Center v2 ListFindings over REST; small so an official client can replace it.</summary>
public sealed class SccFindingsApi(GoogleApiClient client, SccEndpoints endpoints)
{
    /// <summary>The API's maximum page size.</summary>
    public const int MaxPageSize = 1000;

    public GoogleApiClient Client => client;

    /// <summary>
    /// One page: <c>{ "listFindingsResults": [{finding, resource}], "nextPageToken", "totalSize" }</c>, from the host
    /// that serves the parent's location. <paramref name="orderBy"/> null leaves the API's order.
    /// </summary>
    public Task<JsonDocument> ListPageAsync(SccParent parent, string filter, string? orderBy, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parent);
        var uri = ApiUri.Build(
            endpoints.RootFor(parent.Location),
            ["v2", .. parent.Name.Split('/'), "findings"],
            [
                new("filter", filter),
                new("orderBy", orderBy),
                new("pageSize", pageSize.ToString(CultureInfo.InvariantCulture)),
                new("pageToken", pageToken),
            ]);
        return client.GetJsonAsync(uri, cancellationToken);
    }

    /// <summary>The results of a page that are objects; none when the page has no <c>listFindingsResults</c> array.</summary>
    public static IEnumerable<JsonElement> Results(JsonElement page) =>
        page.TryGetProperty("listFindingsResults", out var results) && results.ValueKind == JsonValueKind.Array
            ? results.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.Object)
            : [];

    public string Describe(SccParent parent)
    {
        ArgumentNullException.ThrowIfNull(parent);
        return $"GET {endpoints.RootFor(parent.Location)}/v2/{parent.Name}/findings";
    }
}
