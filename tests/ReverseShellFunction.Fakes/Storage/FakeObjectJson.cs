using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// The JSON API's object resource and error body. int64 fields are strings and times are RFC 3339 UTC, as the
/// proto3 JSON mapping says.
/// </summary>
public static class FakeObjectJson
{
    public static JsonObject Resource(FakeObject item, Uri root, string? md5Override = null, string? crc32cOverride = null)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(root);
        var encoded = Uri.EscapeDataString(item.Name);
        var json = new JsonObject
        {
            ["kind"] = "storage#object",
            ["id"] = $"{item.Bucket}/{item.Name}/{item.Generation}",
            ["selfLink"] = new Uri(root, $"storage/v1/b/{item.Bucket}/o/{encoded}").ToString(),
            ["mediaLink"] = new Uri(root, $"download/storage/v1/b/{item.Bucket}/o/{encoded}?generation={item.Generation}&alt=media").ToString(),
            ["name"] = item.Name,
            ["bucket"] = item.Bucket,
            ["generation"] = Int64(item.Generation),
            ["metageneration"] = Int64(item.Metageneration),
            ["contentType"] = item.ContentType,
            ["storageClass"] = "STANDARD",
            ["size"] = Int64(item.Size),
            ["md5Hash"] = md5Override ?? item.Md5Hash,
            ["crc32c"] = crc32cOverride ?? item.Crc32c,
            ["etag"] = Convert.ToBase64String(BitConverter.GetBytes(item.Generation ^ item.Metageneration)),
            ["timeCreated"] = Time(item.TimeCreated),
            ["updated"] = Time(item.Updated),
            ["timeStorageClassUpdated"] = Time(item.TimeCreated),
        };
        if (item.CustomTime is { } customTime)
        {
            json["customTime"] = Time(customTime);
        }

        if (item.Metadata.Count > 0)
        {
            json["metadata"] = new JsonObject(item.Metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)));
        }

        if (item.TemporaryHold)
        {
            json["temporaryHold"] = true;
        }

        if (item.EventBasedHold)
        {
            json["eventBasedHold"] = true;
        }

        if (item.RetentionExpirationTime is { } expiration)
        {
            json["retentionExpirationTime"] = Time(expiration);
        }

        if (item.RetentionMode is { } mode)
        {
            json["retention"] = new JsonObject { ["mode"] = mode, ["retainUntilTime"] = item.RetainUntilTime is { } until ? Time(until) : null };
        }

        return json;
    }

    public static JsonObject Error(int code, string message, string reason) => new()
    {
        ["error"] = new JsonObject
        {
            ["code"] = code,
            ["message"] = message,
            ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["domain"] = "global", ["reason"] = reason }),
        },
    };

    /// <summary>Reads the writable fields of an object resource sent with an upload.</summary>
    public static FakeUploadFields ReadFields(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return FakeUploadFields.Empty;
        }

        var node = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("The object resource is not a JSON object.");
        var metadata = node["metadata"] is JsonObject map
            ? map.Where(m => m.Value is not null).ToDictionary(m => m.Key, m => m.Value!.GetValue<string>(), StringComparer.Ordinal)
            : null;
        DateTimeOffset? customTime = node["customTime"]?.GetValue<string>() is { } text
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)
            : null;
        return new(node["name"]?.GetValue<string>(), node["contentType"]?.GetValue<string>(), metadata, customTime, node["md5Hash"]?.GetValue<string>(), node["crc32c"]?.GetValue<string>());
    }

    private static string Int64(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
