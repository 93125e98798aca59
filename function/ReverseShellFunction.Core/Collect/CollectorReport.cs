namespace ReverseShellFunction.Collect;

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
    public CollectionWindow? Window { get; init; }

    /// <summary>Set by the collector that checks the finding against SCC; null on every other collector.</summary>
    public FindingAuthenticity? Authenticity { get; init; }

    /// <summary>Bundle paths this collector wrote.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Values the collector removed before storing, e.g. environment variable values.</summary>
    public IReadOnlyList<Redaction> Redactions { get; init; } = [];
}
