namespace ReverseShellFunction.Infrastructure.GoogleApis;

/// <summary>
/// What a failed answer said: canonical status, message and, from <c>google.rpc.ErrorInfo</c>, reason, the quota
/// limit it names (<c>metadata.quota_limit</c>) and that limit's value (<c>metadata.quota_limit_value</c>).
/// </summary>
public sealed record GoogleError(string? Status, string Message, string? Reason = null, string? QuotaLimit = null, long? QuotaLimitValue = null);
