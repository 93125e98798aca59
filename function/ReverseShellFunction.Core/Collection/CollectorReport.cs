namespace ReverseShellFunction.Collection;

/// <summary>What one collector did: the manifest and the summary show it for every collector.</summary>
public sealed record CollectorReport
{
    public required string Name { get; init; }
    public required CollectorStatus Status { get; init; }

    /// <summary>Why the status is not ok, in the API's own words where there are any.</summary>
    public string? Reason { get; init; }

    /// <summary>The request or filter the collector ran, so a responder can run it again.</summary>
    public string? Query { get; init; }

    public long? ItemCount { get; init; }
    public bool Truncated { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public long? DurationMs { get; init; }

    /// <summary>The time range the collector actually covered, and the configured one; null for a point-in-time read.</summary>
    public Window? Window { get; init; }

    /// <summary>Set by the collector that checks the finding against SCC; null on every other collector.</summary>
    public FindingAuthenticity? Authenticity { get; init; }

    /// <summary>With <see cref="FindingAuthenticity.Contradicted"/>: the fields where SCC's copy and the notification differ.</summary>
    public IReadOnlyList<string>? Contradicted { get; init; }

    /// <summary>
    /// The collector ended on a transient failure (429, 5xx, timeout, the deadline): a later part runs it again.
    /// A permanent failure (403, 404, a bad filter) is final and stays false.
    /// </summary>
    public bool RetryLater { get; init; }

    /// <summary>With <see cref="RetryLater"/>: how soon a later part may run it; null is the completion backoff (a minute).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// For a window still open: where a later part continues reading, because what was read stays valid (log
    /// entries older than the ingestion delay do not change). Null when a later part must read the whole window
    /// again: a failed read, or a listing whose past can still grow (SCC raises findings with earlier event times).
    /// </summary>
    public DateTimeOffset? ResumeFrom { get; init; }

    /// <summary>A later part has work: the collector failed transiently, or its window was still open and it was not capped.</summary>
    public bool NeedsCompletion => RetryLater || (Window is { IsOpen: true } && !Truncated && Status is CollectorStatus.Ok or CollectorStatus.Partial);

    /// <summary>Bundle paths this collector wrote.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Values the collector removed before storing, e.g. environment variable values.</summary>
    public IReadOnlyList<Redaction> Redactions { get; init; } = [];
}
