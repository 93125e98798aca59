namespace ReverseShellFunction.Collect.GoogleApis;

/// <summary>
/// A Google API call that did not succeed, after any retries: the HTTP status and the API's own
/// <c>{"error":{"code","message","status"}}</c> words, or what went wrong on the way there.
/// </summary>
public sealed class GoogleApiException : Exception
{
    public GoogleApiException()
    {
    }

    public GoogleApiException(string message)
        : base(message)
    {
    }

    public GoogleApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

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
    }

    /// <summary>The HTTP status code; null when no answer came (timeout, connection error).</summary>
    public int? HttpStatus { get; }

    /// <summary>The API's canonical status, such as <c>PERMISSION_DENIED</c>.</summary>
    public string? Status { get; }

    public int Attempts { get; }

    /// <summary>The <c>google.rpc.ErrorInfo</c> reason, such as <c>RATE_LIMIT_EXCEEDED</c>.</summary>
    public string? Reason { get; }

    /// <summary>The quota limit ErrorInfo names, such as <c>ReadRequestsPerMinutePerProject</c>.</summary>
    public string? QuotaLimit { get; }

    /// <summary>
    /// A 429 whose ErrorInfo says a rate quota is used up: "retry later", not a fault. A per-minute quota does not
    /// refill within a delivery's few seconds of backoff, so retrying at once only spends more of it.
    /// </summary>
    public bool IsQuotaExceeded => HttpStatus == 429 && Reason is "RATE_LIMIT_EXCEEDED" or "RESOURCE_EXHAUSTED";

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
