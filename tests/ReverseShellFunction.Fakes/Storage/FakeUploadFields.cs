namespace ReverseShellFunction.Fakes.Storage;

/// <summary>
/// The object resource an upload carries: the writable fields, and hashes the client may send for the service
/// to check before it creates the object.
/// </summary>
public sealed record FakeUploadFields(
    string? Name,
    string? ContentType,
    IReadOnlyDictionary<string, string>? Metadata,
    DateTimeOffset? CustomTime,
    string? Md5Hash,
    string? Crc32c)
{
    public static readonly FakeUploadFields Empty = new(null, null, null, null, null, null);
}
