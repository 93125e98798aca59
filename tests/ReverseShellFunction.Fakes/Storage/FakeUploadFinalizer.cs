using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// Ends every kind of upload the same way: check the hashes the client sent (the <c>X-Goog-Hash</c> header or
/// md5Hash/crc32c in the resource) against the bytes received, then create the object under its preconditions.
/// A mismatch is a 400 and nothing is created, as the service does.
/// </summary>
internal sealed class FakeUploadFinalizer
{
    private readonly FakeStorageState _state;

    public FakeUploadFinalizer(FakeStorageState state)
    {
        _state = state;
    }

    [SuppressMessage("Security", "CA5351", Justification = "MD5 is the md5Hash integrity field of the JSON API, not a security control.")]
    public async Task<FakeObject?> FinishAsync(HttpContext context, string bucket, FakeUploadFields fields, FakePreconditions preconditions, byte[] content)
    {
        if (string.IsNullOrEmpty(fields.Name))
        {
            await FakeHttp.ErrorAsync(context, 400, "Required: the object name.");
            return null;
        }

        if (content.Length > 0 && _state.Faults.TakeCorruptUpload())
        {
            content[content.Length / 2] ^= 0xFF;
        }

        var crc32c = FakeCrc32C.Base64(content);
        var md5 = Convert.ToBase64String(MD5.HashData(content));
        var sent = ParseHashHeader(context.Request.Headers["X-Goog-Hash"].ToString());
        var expectedCrc = fields.Crc32c ?? sent.GetValueOrDefault("crc32c");
        var expectedMd5 = fields.Md5Hash ?? sent.GetValueOrDefault("md5");
        if (expectedCrc is not null && expectedCrc != crc32c)
        {
            await FakeHttp.ErrorAsync(context, 400, $"Provided CRC32C \"{expectedCrc}\" doesn't match calculated CRC32C \"{crc32c}\".");
            return null;
        }

        if (expectedMd5 is not null && expectedMd5 != md5)
        {
            await FakeHttp.ErrorAsync(context, 400, $"Provided MD5 hash \"{expectedMd5}\" doesn't match calculated MD5 hash \"{md5}\".");
            return null;
        }

        var draft = new FakeObjectDraft
        {
            Bucket = bucket,
            Name = fields.Name,
            Content = content,
            ContentType = fields.ContentType,
            Metadata = fields.Metadata,
            CustomTime = fields.CustomTime,
        };
        var outcome = _state.Objects.Create(draft, preconditions);
        if (outcome.Created is not { } created)
        {
            await FakeHttp.ErrorAsync(context, outcome.StatusCode, outcome.Message ?? "The object could not be created.");
            return null;
        }

        var resource = _state.Faults.TakeMisreportHashes()
            ? FakeObjectJson.Resource(created, _state.Root, md5Override: "AAAAAAAAAAAAAAAAAAAAAA==", crc32cOverride: "AAAAAA==")
            : FakeObjectJson.Resource(created, _state.Root);
        await FakeHttp.JsonAsync(context, 200, resource);
        return created;
    }

    /// <summary><c>crc32c=BASE64,md5=BASE64</c>: split at the first '=' of each pair, since base64 ends in '='.</summary>
    private static Dictionary<string, string> ParseHashHeader(string header) =>
        header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => group.First()[1], StringComparer.OrdinalIgnoreCase);
}
