using System.Text.Json.Serialization;

namespace ReverseShellFunction.Bundle;

/// <summary>Where a logical bundle stands, as its newest part states it. Lower case in JSON.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Completeness>))]
public enum Completeness
{
    /// <summary>Every collector ended ok and every window was read after it closed.</summary>
    [JsonStringEnumMemberName("complete")]
    Complete,

    /// <summary>A later part will collect the rest: <see cref="CompletionState.Due"/> says when, the outstanding list why.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Nothing more will be collected, and something is missing: a collector failed for good (403, 404) or was not collected (skipped, with its reason), or completion gave up (COMPLETION_GIVE_UP_HOURS). <see cref="CompletionState.Missing"/> says what and why.</summary>
    [JsonStringEnumMemberName("incomplete")]
    Incomplete,
}

/// <summary>
/// The <c>completion</c> member of a part's summary.json (and so of its index entry): what this part leaves to
/// the next one. Sealed with the part, so it is as much evidence as what was collected.
/// </summary>
public sealed record CompletionState
{
    public required Completeness State { get; init; }

    /// <summary>The part this one is (1 at delivery).</summary>
    public required int Part { get; init; }

    /// <summary>Pending: the part number that collects the rest.</summary>
    public int? NextPart { get; init; }

    /// <summary>Pending: the earliest moment the next part can collect it (a window's close plus the ingestion delay, or a backoff).</summary>
    public DateTimeOffset? Due { get; init; }

    /// <summary>After this the bundle is stored as incomplete instead of being retried (event time + COMPLETION_GIVE_UP_HOURS).</summary>
    public DateTimeOffset? GiveUpAt { get; init; }

    /// <summary>Pending: what a later part collects, each with its own due time.</summary>
    public IReadOnlyList<OutstandingWork> Outstanding { get; init; } = [];

    /// <summary>What this part and the ones before it could not collect for good, and why; carried from part to part.</summary>
    public IReadOnlyList<OutstandingWork> Missing { get; init; } = [];
}

/// <summary>
/// One collector's unfinished work. <see cref="ResumeFrom"/> is where its next read starts: the end of the window
/// covered so far for a window still open, the start of the window for a read that failed transiently (it is
/// read again whole, so nothing between the two reads is lost).
/// </summary>
public sealed record OutstandingWork(string Collector, string Reason, DateTimeOffset? ResumeFrom)
{
    /// <summary>When this work can be done: the window's close plus the ingestion delay, or after a backoff.</summary>
    public DateTimeOffset? Due { get; init; }

    /// <summary>
    /// The part that recorded the notification this work is about, when it is not part 1's: the check against SCC
    /// of a differing notification that failed transiently is retried against that notification, not part 1's.
    /// </summary>
    public int? NotificationPart { get; init; }
}

/// <summary>The link from part n to part n−1 in part n's manifest and index entry: the hash chain.</summary>
public sealed record PartLink(int Part, string ObjectName, string Sha256);
