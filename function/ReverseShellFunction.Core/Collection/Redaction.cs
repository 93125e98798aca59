namespace ReverseShellFunction.Collection;

/// <summary>
/// One value left out of the bundle: where it was and, when a deployment key is configured, an HMAC-SHA256
/// of the value so it can be matched later without being stored.
/// </summary>
public sealed record Redaction(string File, string Location, string? ValueHmacSha256)
{
    /// <summary>
    /// Which rule removed it: <c>env-value</c>, <c>secret-name</c> (a header, annotation or assignment whose name
    /// says secret), <c>after-secret-flag</c>, or a shape (<c>jwt</c>, <c>private-key</c>, <c>bearer-token</c>,
    /// <c>url-password</c>, <c>google-api-key</c>, …); null in manifests written before reasons were recorded.
    /// </summary>
    public string? Reason { get; init; }
}
