namespace ReverseShellFunction.Fakes.GoogleApis;

/// <summary>Port, token and the size of the generated fixtures.</summary>
public sealed record FakeGoogleApisOptions
{
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    /// <summary>The token the metadata server issues and the APIs accept.</summary>
    public string AccessToken { get; init; } = "ya29.fake-" + Guid.NewGuid().ToString("N");

    /// <summary>Related findings inside the window, besides the triggering one.</summary>
    public int RelatedFindings { get; init; } = 24;

    /// <summary>
    /// SCC roles held only on the project (the project-scope deployment's grant): every SCC request under
    /// <c>organizations/…</c> or <c>folders/…</c>, listing or security marks, answers 403 PERMISSION_DENIED, as SCC
    /// does for a caller without a role there.
    /// </summary>
    public bool SccProjectGrantOnly { get; init; }

    /// <summary>Most results on one SCC page, below the client's pageSize, as a real server may do.</summary>
    public int SccPageSize { get; init; } = 10;

    public int ContainerLogEntries { get; init; } = 150;

    public int AuditLogEntries { get; init; } = 4;

    public int LogPageSize { get; init; } = 40;

    /// <summary>Answer an empty page with a token between data pages, as Cloud Logging does while it searches.</summary>
    public bool EmptyLogPages { get; init; } = true;

    /// <summary>
    /// Extra characters of pseudo-random base64 appended to each container entry's <c>textPayload</c> (0: none),
    /// for large, hard-to-compress logs. Seeded, so the same options give the same entries.
    /// </summary>
    public int ContainerLogPayloadBytes { get; init; }

    /// <summary>
    /// When set, the <see cref="ContainerLogPayloadBytes"/> characters are this one character repeated instead of
    /// random base64: an attacker's stdout that compresses about a thousand times.
    /// </summary>
    public char? ContainerLogPayloadCharacter { get; init; }

    /// <summary>
    /// Cloud Logging's read quota: <c>entries:list</c> calls a minute per consumer project (the project in
    /// <c>x-goog-user-project</c>, else <see cref="LoggingConsumerProject"/>); past it, Google's 429
    /// RESOURCE_EXHAUSTED with ErrorInfo RATE_LIMIT_EXCEEDED. 0 turns the quota off.
    /// </summary>
    public int LoggingReadsPerMinute { get; init; } = 60;

    /// <summary>The project of the caller's credentials, charged for reads that name no quota project.</summary>
    public string LoggingConsumerProject { get; init; } = "reverse-shell-evidence-ops";

    /// <summary>An entry is returned only once its timestamp plus this has passed on <see cref="Clock"/>, as ingestion takes time.</summary>
    public TimeSpan LogIngestionDelay { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The fake's clock: the quota's minutes, when entries become readable, and when Cloud Tasks dispatches.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Cloud Tasks queues that exist from the start (<see cref="FakeCloudTasks.AddQueue"/> adds more).</summary>
    public IReadOnlyList<FakeTaskQueueSettings> TaskQueues { get; init; } = [];

    /// <summary>How long a finished task's name stays taken: about an hour for queues made with the Cloud Tasks API.</summary>
    public TimeSpan TaskDedupWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Where the fixtures sit in time: every finding and log entry is moved by this minus
    /// <see cref="FakeGoogleData.EventTime"/>. Null keeps them at <see cref="FakeGoogleData.EventTime"/>. A process
    /// on the real clock (a benchmark of the function as its own process) sets it to about now, so its log windows
    /// are open at delivery as in a real incident.
    /// </summary>
    public DateTimeOffset? EventTime { get; init; }

    /// <summary>
    /// More Cloud Run services like <see cref="FakeGoogleData.Service"/> in the same project, named
    /// <c>checkout-api-sNN</c> (NN from 01): each with its own revisions, related findings and log entries (the
    /// same fixtures under its name), so findings on many services read different logs. 0: only the one.
    /// </summary>
    public int AdditionalServices { get; init; }

    /// <summary>Waited before every request is handled, as a network round trip would; <see cref="FakeGoogleApis.Latency"/> changes it later.</summary>
    public TimeSpan Latency { get; init; }
}
