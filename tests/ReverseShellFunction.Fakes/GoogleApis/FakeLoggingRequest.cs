using System.Text.Json;

namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>The body of <c>entries:list</c>, checked as strictly as the API's JSON parser: unknown fields are errors.</summary>
internal sealed record ListRequest(IReadOnlyList<string> ResourceNames, string Filter, string OrderBy, int PageSize, string? PageToken)
{
    private static readonly HashSet<string> s_fields = ["resourceNames", "filter", "orderBy", "pageSize", "pageToken"];

    public static ListRequest Parse(string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException("Invalid JSON payload: expected an object.");
        }

        if (root.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => !s_fields.Contains(name)) is { } unknown)
        {
            throw new InvalidOperationException($"Invalid JSON payload received. Unknown name \"{unknown}\": Cannot find field.");
        }

        var names = root.TryGetProperty("resourceNames", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(n => n.GetString() ?? "").ToList()
            : [];
        if (names.Count == 0)
        {
            throw new InvalidOperationException("resourceNames is required.");
        }

        var pageSize = root.TryGetProperty("pageSize", out var size) ? size.GetInt32() : 50;
        if (pageSize is < 1 or > 1000)
        {
            throw new InvalidOperationException("page_size must be between 1 and 1000.");
        }

        var orderBy = root.TryGetProperty("orderBy", out var order) ? order.GetString() ?? "" : "timestamp asc";
        if (orderBy is not ("timestamp asc" or "timestamp desc"))
        {
            throw new InvalidOperationException($"Invalid orderBy '{orderBy}'.");
        }

        return new ListRequest(
            names,
            root.TryGetProperty("filter", out var filter) ? filter.GetString() ?? "" : "",
            orderBy,
            pageSize,
            root.TryGetProperty("pageToken", out var token) ? token.GetString() : null);
    }
}
