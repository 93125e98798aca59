namespace ReverseShellFunction.Collection;

/// <summary>Time windows, caps and the deadline of a collection. Defaults are documented in the README.</summary>
public sealed class CollectionOptions
{
    /// <summary>One deadline for the whole collection, well under Pub/Sub's push ack deadline.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Each collector's own limit inside the deadline, so one slow API cannot use all of it.</summary>
    public TimeSpan CollectorTimeout { get; set; } = TimeSpan.FromSeconds(40);

    /// <summary>Related findings are searched this long before and after the event time.</summary>
    public TimeSpan RelatedWindow { get; set; } = TimeSpan.FromMinutes(60);

    public int RelatedMaxFindings { get; set; } = 500;

    public TimeSpan LogWindowBefore { get; set; } = TimeSpan.FromMinutes(30);

    public TimeSpan LogWindowAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Admin-activity audit logs are searched this far back: who deployed or changed the service.</summary>
    public TimeSpan AuditWindow { get; set; } = TimeSpan.FromDays(7);

    public int LogMaxEntries { get; set; } = 10_000;

    public long LogMaxBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Which parent related findings and the finding itself are listed under; the level of the findingsViewer grant.</summary>
    public SccScope SccScope { get; set; } = SccScope.Project;

    /// <summary>
    /// How long Cloud Logging may take to make an entry readable. A log window is read only up to now minus this;
    /// the rest of it is still open.
    /// </summary>
    public TimeSpan LogIngestionDelay { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Send <c>x-goog-user-project</c> with the workload's project on log reads, so they use that project's read quota.</summary>
    public bool LogReadsUseTargetQuota { get; set; }

    /// <summary>Key for HMAC-SHA256 fingerprints of redacted values; null means no fingerprints.</summary>
    public byte[]? RedactionKey { get; set; }
}
