namespace ReverseShellFunction.Collect.GoogleApis;

/// <summary>What a failed answer said: canonical status, message and, from <c>google.rpc.ErrorInfo</c>, reason and quota limit.</summary>
public sealed record GoogleError(string? Status, string Message, string? Reason = null, string? QuotaLimit = null);
