namespace ReverseShellFunction.Collection;

/// <summary>Time windows, caps and the deadline of a collection. Their defaults are in the settings catalog (Hosting).</summary>
public sealed record CollectionOptions
{
    /// <summary>One deadline for the whole collection, well under Pub/Sub's push ack deadline.</summary>
    public required TimeSpan Deadline { get; init; }

    /// <summary>Each collector's own limit inside the deadline, so one slow API cannot use all of it.</summary>
    public required TimeSpan CollectorTimeout { get; init; }

    /// <summary>Related findings are searched this long before and after the event time.</summary>
    public required TimeSpan RelatedWindow { get; init; }

    public required int RelatedMaxFindings { get; init; }

    public required TimeSpan LogWindowBefore { get; init; }

    public required TimeSpan LogWindowAfter { get; init; }

    /// <summary>Admin-activity audit logs are searched this far back: who deployed or changed the service.</summary>
    public required TimeSpan AuditWindow { get; init; }

    public required int LogMaxEntries { get; init; }

    public required long LogMaxBytes { get; init; }

    /// <summary>Which parent related findings and the finding itself are listed under; the level of the findingsViewer grant.</summary>
    public required SccScope SccScope { get; init; }

    /// <summary>
    /// How long Cloud Logging may take to make an entry readable. A log window is read only up to now minus this;
    /// the rest of it is still open.
    /// </summary>
    public required TimeSpan LogIngestionDelay { get; init; }

    /// <summary>Send <c>x-goog-user-project</c> with the workload's project on log reads, so they use that project's read quota.</summary>
    public bool LogReadsUseTargetQuota { get; set; }

    /// <summary>Key for HMAC-SHA256 fingerprints of redacted values; null means no fingerprints.</summary>
    public byte[]? RedactionKey { get; set; }
}
