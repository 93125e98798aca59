using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace ReverseShellFunction.Fakes.Storage;

/// <summary>Object metadata (<c>GET …/o/{name}</c>), bytes (<c>alt=media</c>, with Range) and the list.</summary>
internal sealed class FakeReadHandler
{
    private const int DefaultPageSize = 1000;
    private const int SliceSize = 64 * 1024;
    private readonly FakeStorageState _state;

    public FakeReadHandler(FakeStorageState state)
    {
        _state = state;
    }

    public async Task GetAsync(HttpContext context, string bucket, string name)
    {
        if (await FindAsync(context, bucket, name) is { } item)
        {
            await FakeHttp.JsonAsync(context, 200, FakeObjectJson.Resource(item, _state.Root));
        }
    }

    public async Task DownloadAsync(HttpContext context, string bucket, string name)
    {
        if (await FindAsync(context, bucket, name) is not { } item)
        {
            return;
        }

        var content = item.Content;
        if (content.Length > 0 && _state.Faults.TakeCorruptDownload())
        {
            var damaged = content.ToArray();
            damaged[damaged.Length / 2] ^= 0xFF;
            content = damaged;
        }

        var response = context.Response;
        response.Headers["x-goog-hash"] = $"crc32c={item.Crc32c},md5={item.Md5Hash}";
        response.Headers["x-goog-generation"] = item.Generation.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-goog-metageneration"] = item.Metageneration.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-goog-stored-content-length"] = item.Size.ToString(CultureInfo.InvariantCulture);
        response.ContentType = item.ContentType;
        if (RangeHeaderValue.TryParse(context.Request.Headers.Range.ToString(), out var range) && range.Ranges.Count == 1)
        {
            var only = range.Ranges.First();
            var first = only.From ?? Math.Max(0, item.Size - only.To!.Value);
            var last = only.From is null ? item.Size - 1 : Math.Min(only.To ?? item.Size - 1, item.Size - 1);
            if (first >= item.Size)
            {
                response.StatusCode = 416;
                return;
            }

            response.StatusCode = 206;
            response.Headers.ContentRange = $"bytes {first}-{last}/{item.Size}";
            content = content.Slice((int)first, (int)(last - first + 1));
        }
        else
        {
            response.StatusCode = 200;
        }

        response.ContentLength = content.Length;

        // In slices, so Kestrel's backpressure applies: one big write would be copied whole into its buffers.
        for (var at = 0; at < content.Length; at += SliceSize)
        {
            await response.Body.WriteAsync(content.Slice(at, Math.Min(SliceSize, content.Length - at)), context.RequestAborted);
        }
    }

    public async Task ListAsync(HttpContext context, string bucket)
    {
        var query = context.Request.Query;
        var prefix = query["prefix"].ToString();
        var delimiter = query["delimiter"].ToString();
        var pageSize = int.TryParse(query["maxResults"], NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max > 0 ? Math.Min(max, DefaultPageSize) : DefaultPageSize;
        var after = query["pageToken"].ToString() is { Length: > 0 } token ? Encoding.UTF8.GetString(Convert.FromBase64String(token)) : null;

        // Entries are objects and, with a delimiter, the "folders" they roll up into; both in name order.
        var entries = new SortedDictionary<string, FakeObject?>(StringComparer.Ordinal);
        foreach (var item in _state.Objects.List(bucket, prefix))
        {
            var rest = item.Name[prefix.Length..];
            var cut = delimiter.Length > 0 ? rest.IndexOf(delimiter, StringComparison.Ordinal) : -1;
            if (cut >= 0)
            {
                entries[prefix + rest[..(cut + delimiter.Length)]] = null;
            }
            else
            {
                entries[item.Name] = item;
            }
        }

        var page = entries.Where(e => after is null || string.CompareOrdinal(e.Key, after) > 0).Take(pageSize + 1).ToList();
        var body = new JsonObject { ["kind"] = "storage#objects" };
        var shown = page.Take(pageSize).ToList();
        var items = shown.Where(e => e.Value is not null).Select(e => (JsonNode)FakeObjectJson.Resource(e.Value!, _state.Root)).ToArray();
        var prefixes = shown.Where(e => e.Value is null).Select(e => (JsonNode)JsonValue.Create(e.Key)).ToArray();
        if (items.Length > 0)
        {
            body["items"] = new JsonArray(items);
        }

        if (prefixes.Length > 0)
        {
            body["prefixes"] = new JsonArray(prefixes);
        }

        if (page.Count > pageSize)
        {
            body["nextPageToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(shown[^1].Key));
        }

        await FakeHttp.JsonAsync(context, 200, body);
    }

    /// <summary>The live object, honouring <c>generation</c> and the preconditions; otherwise answers and returns null.</summary>
    private async Task<FakeObject?> FindAsync(HttpContext context, string bucket, string name)
    {
        var item = _state.Objects.Get(bucket, name);
        var generation = context.Request.Query["generation"].ToString();
        if (item is null || (generation.Length > 0 && generation != item.Generation.ToString(CultureInfo.InvariantCulture)))
        {
            await FakeHttp.ErrorAsync(context, 404, $"No such object: {bucket}/{name}");
            return null;
        }

        if (FakePreconditions.From(context.Request.Query).Check(item) is { } failed)
        {
            await FakeHttp.ErrorAsync(context, (int)failed, "At least one of the pre-conditions you specified did not hold.");
            return null;
        }

        return item;
    }
}
