namespace ReverseShellFunction.Collect;

/// <summary>
/// One value left out of the bundle: where it was and, when a deployment key is configured, an HMAC-SHA256
/// of the value so it can be matched later without being stored.
/// </summary>
public sealed record Redaction(string File, string Location, string? ValueHmacSha256);
