using ReverseShellFunction.Collection;
using ReverseShellFunction.Infrastructure.GoogleApis;

namespace ReverseShellFunction.Collectors;

/// <summary>
/// What a collector has done so far, turned into its report however it ends: what was written before a
/// failure or the deadline is kept and counted.
/// </summary>
public sealed class CollectorProgress(string name)
{
    private readonly List<string> _files = [];
    private readonly List<Redaction> _redactions = [];

    public string? Query { get; set; }

    public long Items { get; private set; }

    public bool Truncated { get; set; }

    /// <summary>Why the collector stopped early though it ends ok, e.g. a cap; null when it read everything.</summary>
    public string? Note { get; set; }

    /// <summary>The time range covered, recorded in the report whatever the status.</summary>
    public Window? Window { get; set; }

    public FindingAuthenticity? Authenticity { get; set; }

    /// <summary>With a contradicted authenticity: the fields that differ.</summary>
    public IReadOnlyList<string>? Contradicted { get; set; }

    public void AddFile(string path) => _files.Add(path);

    public void AddItems(long count) => Items += count;

    public void AddRedactions(IEnumerable<Redaction> redactions) => _redactions.AddRange(redactions);

    /// <summary>How many redactions were recorded so far, to go back to with <see cref="Rewind"/>.</summary>
    public int RedactionCount => _redactions.Count;

    /// <summary>Forgets what was counted after a checkpoint whose file content was cut off again.</summary>
    public void Rewind(long items, int redactions)
    {
        Items = items;
        _redactions.RemoveRange(redactions, _redactions.Count - redactions);
    }

    public CollectorReport Ok() => Report(CollectorStatus.Ok, Note);

    public CollectorReport Skipped(string reason) => Report(CollectorStatus.Skipped, reason);

    /// <summary>An API failure: partial when something was kept, failed otherwise.</summary>
    /// <remarks>429, 5xx and no answer at all are transient: a later part runs the collector again.</remarks>
    public CollectorReport Failed(GoogleApiException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Report(Items > 0 ? CollectorStatus.Partial : CollectorStatus.Failed, error.Describe(), IsTransient(error));
    }

    public CollectorReport Failed(string reason, bool retryLater = false) =>
        Report(Items > 0 ? CollectorStatus.Partial : CollectorStatus.Failed, reason, retryLater);

    public CollectorReport Partial(string reason) => Report(CollectorStatus.Partial, reason);

    public CollectorReport DeadlineReached() =>
        Report(CollectorStatus.Partial, $"stopped by the collection deadline after {Items} items; what was written is kept, and a later part runs it again", retryLater: true);

    /// <summary>What a later attempt can change: quota and server trouble, timeouts and lost connections, not a refusal.</summary>
    public static bool IsTransient(GoogleApiException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.HttpStatus is null || RetryPolicy.IsRetryable(error.HttpStatus.Value);
    }

    private CollectorReport Report(CollectorStatus status, string? reason, bool retryLater = false) => new()
    {
        RetryLater = retryLater,
        Name = name,
        Status = status,
        Reason = reason,
        Query = Query,
        ItemCount = status == CollectorStatus.Skipped ? null : Items,
        Truncated = Truncated,
        Window = Window,
        Authenticity = Authenticity,
        Contradicted = Contradicted is { Count: > 0 } fields ? fields : null,
        Files = [.. _files],
        Redactions = [.. _redactions],
    };
}
