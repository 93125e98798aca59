namespace ReverseShellFunction.Infrastructure.GoogleApis;

/// <summary>
/// A Google API call that did not succeed, after any retries: the HTTP status and the API's own
/// <c>{"error":{"code","message","status"}}</c> words, or what went wrong on the way there.
/// </summary>
public sealed class GoogleApiException : Exception
{
    public GoogleApiException(int? httpStatus, string? status, string message, int attempts, Exception? innerException = null)
        : base(message, innerException)
    {
        HttpStatus = httpStatus;
        Status = status;
        Attempts = attempts;
    }

    /// <summary>The API's own error: status and message, and the ErrorInfo reason and quota limit when it sent them.</summary>
    public GoogleApiException(int httpStatus, GoogleError error, int attempts)
        : this(httpStatus, error?.Status, error?.Message ?? "", attempts)
    {
        ArgumentNullException.ThrowIfNull(error);
        Reason = error.Reason;
        QuotaLimit = error.QuotaLimit;
        QuotaLimitValue = error.QuotaLimitValue;
        Retryable = RetryPolicy.IsRetryable(httpStatus) && !IsQuotaExceeded;
    }

    /// <summary>The HTTP status code; null when no answer came (timeout, connection error).</summary>
    public int? HttpStatus { get; }

    /// <summary>The API's canonical status, such as <c>PERMISSION_DENIED</c>.</summary>
    public string? Status { get; }

    public int Attempts { get; }

    /// <summary>The path of the call, for the retry log line.</summary>
    internal string? Path { get; init; }

    /// <summary>
    /// Whether another attempt may help: a timeout, a transport error, a token not there yet, or an answer of 429
    /// or 5xx except a used-up quota (left to the completion, which waits for the quota to refill).
    /// </summary>
    internal bool Retryable { get; init; }

    /// <summary>How long the server asked to wait (Retry-After), if it did.</summary>
    internal TimeSpan? RetryAfter { get; init; }

    /// <summary>The <c>google.rpc.ErrorInfo</c> reason, such as <c>RATE_LIMIT_EXCEEDED</c>.</summary>
    public string? Reason { get; }

    /// <summary>The quota limit ErrorInfo names, such as <c>ReadRequestsPerMinutePerProject</c>.</summary>
    public string? QuotaLimit { get; }

    /// <summary>The value of that limit as Google applied it (<c>metadata.quota_limit_value</c>), e.g. 60 or 120 a minute.</summary>
    public long? QuotaLimitValue { get; }

    /// <summary>
    /// A quota is used up: "retry later", not a fault. Google says so with an ErrorInfo whose reason is
    /// <c>RATE_LIMIT_EXCEEDED</c> or <c>RESOURCE_QUOTA_EXCEEDED</c> (google/api/error_reason.proto);
    /// <c>RESOURCE_EXHAUSTED</c> is the status (HTTP 429) those come with, never a reason. A 429 without ErrorInfo
    /// says nothing about which limit and is retried as any 429 is (after its Retry-After). A per-minute quota does
    /// not refill within a delivery's few seconds of backoff, so retrying at once only spends more of it.
    /// </summary>
    public bool IsQuotaExceeded => Reason is "RATE_LIMIT_EXCEEDED" or "RESOURCE_QUOTA_EXCEEDED";

    /// <summary>Which quota, at what value, e.g. <c>ReadRequestsPerMinutePerProject (120)</c>; the reason when ErrorInfo names none.</summary>
    public string? QuotaDescription => (QuotaLimit, QuotaLimitValue) switch
    {
        ({ } limit, { } value) => $"{limit} ({value})",
        ({ } limit, null) => limit,
        _ => Reason ?? Status,
    };

    /// <summary>What a responder reads in the manifest, e.g. <c>403 PERMISSION_DENIED: Permission denied on ...</c>.</summary>
    public string Describe()
    {
        var prefix = (HttpStatus, Status) switch
        {
            (null, null) => "",
            ({ } code, null) => $"{code}: ",
            (null, { } status) => $"{status}: ",
            ({ } code, { } status) => $"{code} {status}: ",
        };
        var retries = Attempts > 1 ? $" (after {Attempts} attempts)" : "";
        return prefix + Message + retries;
    }
}
