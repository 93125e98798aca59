namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>A task's state inside its queue; guarded by the queue's lock.</summary>
internal sealed class FakeQueuedTask
{
    public required string Name { get; init; }
    public required DateTimeOffset CreateTime { get; init; }
    public required DateTimeOffset ScheduleTime { get; set; }
    public required string Url { get; init; }
    public required string HttpMethod { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required byte[] Body { get; init; }
    public string? OidcServiceAccount { get; init; }
    public string? OidcAudience { get; init; }
    public required TimeSpan DispatchDeadline { get; init; }

    /// <summary>Creation order, so tasks due at the same moment go out first-come first-served.</summary>
    public long Sequence { get; init; }

    public bool Dispatching { get; set; }
    public int DispatchCount { get; set; }

    /// <summary>Attempts that got an answer other than 5xx (X-CloudTasks-TaskExecutionCount).</summary>
    public int ResponseCount { get; set; }

    public int? PreviousResponse { get; set; }
    public DateTimeOffset? FirstAttempt { get; set; }

    public string ShortName => Name[(Name.LastIndexOf('/') + 1)..];

    public FakeCloudTask Snapshot() =>
        new(Name, ScheduleTime, CreateTime, Url, HttpMethod, Headers, Body, OidcServiceAccount, OidcAudience, DispatchCount, ResponseCount);
}
