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

    /// <summary>The HTTP status code; null when no answer came (timeout, connection error).</summary>
    public int? HttpStatus { get; }

    /// <summary>The API's canonical status, such as <c>PERMISSION_DENIED</c>.</summary>
    public string? Status { get; }

    public int Attempts { get; }

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
