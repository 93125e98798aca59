namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>
/// One injected misbehaviour: wait <see cref="Delay"/>, then answer <see cref="StatusCode"/> with a Google error
/// body, or, with no status, answer normally after the delay (a slow answer), or with <see cref="LoseAnswer"/>
/// carry the request out and cut the connection instead of answering.
/// </summary>
public sealed record FakeFault
{
    public TimeSpan Delay { get; init; }
    public int? StatusCode { get; init; }
    public string Status { get; init; } = "UNKNOWN";
    public string Message { get; init; } = "injected fault";
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// The request takes effect but its answer never arrives (the connection is reset): what a client sees when
    /// a response is lost on the way, and must not mistake for "nothing happened".
    /// </summary>
    public bool LoseAnswer { get; init; }

    /// <summary>Called when a request meets this fault, before the delay: lets a test act at that exact point.</summary>
    public Action? OnApplied { get; init; }

    public static FakeFault Unavailable() =>
        new() { StatusCode = 503, Status = "UNAVAILABLE", Message = "The service is currently unavailable." };

    public static FakeFault Internal() =>
        new() { StatusCode = 500, Status = "INTERNAL", Message = "Internal error encountered." };

    public static FakeFault ResourceExhausted(TimeSpan? retryAfter = null) => new()
    {
        StatusCode = 429,
        Status = "RESOURCE_EXHAUSTED",
        Message = "Quota exceeded for quota metric 'Read requests' of service.",
        RetryAfter = retryAfter,
    };

    public static FakeFault PermissionDenied(string message) => new() { StatusCode = 403, Status = "PERMISSION_DENIED", Message = message };

    public static FakeFault NotFound(string message) => new() { StatusCode = 404, Status = "NOT_FOUND", Message = message };

    public static FakeFault Slow(TimeSpan delay) => new() { Delay = delay };

    public static FakeFault LostAnswer() => new() { LoseAnswer = true };
}
