namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>A task as <see cref="FakeCloudTasks"/> holds it (created, not yet done): what tasks.create stored.</summary>
public sealed record FakeCloudTask(
    string Name,
    DateTimeOffset ScheduleTime,
    DateTimeOffset CreateTime,
    string Url,
    string HttpMethod,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    string? OidcServiceAccount,
    string? OidcAudience,
    int DispatchCount,
    int ResponseCount);

/// <summary>One dispatch attempt: when it started and ended on the fake's clock, and what the target answered.</summary>
/// <param name="Attempt">1 for the first attempt of the task.</param>
/// <param name="StatusCode">The target's HTTP status; null when no answer came (<paramref name="Error"/> says why).</param>
public sealed record FakeTaskDispatch(
    string Queue,
    string TaskName,
    int Attempt,
    DateTimeOffset ScheduledFor,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    int? StatusCode,
    string? Error)
{
    public bool Succeeded => StatusCode is >= 200 and <= 299;
}

/// <summary>Totals over all queues, for tests and benchmarks.</summary>
/// <param name="Duplicates">tasks.create calls refused with 409 ALREADY_EXISTS.</param>
/// <param name="Rejected">tasks.create calls refused otherwise (400, 403, 404).</param>
/// <param name="Completed">Tasks whose target answered 2xx.</param>
/// <param name="GaveUp">Tasks deleted after their retry config ran out, or at the retention limit.</param>
/// <param name="MaxInFlight">The most dispatches ever in flight at once on one queue.</param>
public sealed record FakeCloudTasksCounters(
    long Created, long Duplicates, long Rejected, long Dispatches, long FailedAttempts, long Completed, long GaveUp, int InFlight, int MaxInFlight);
