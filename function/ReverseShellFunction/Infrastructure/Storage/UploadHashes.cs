namespace ReverseShellFunction.Infrastructure.Storage;

/// <summary>The hashes of an upload's bytes, in the API's base64 form.</summary>
internal sealed record UploadHashes(long Length, string Crc32c, string Md5, bool Complete);
