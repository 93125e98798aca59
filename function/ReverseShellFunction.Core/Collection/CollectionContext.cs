using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Collection;

/// <summary>What the collectors know about the finding event they collect for.</summary>
public sealed record CollectionContext
{
    public required SccNotification Notification { get; init; }

    /// <summary>The Cloud Run service or job the finding names; null when the resource is not Cloud Run.</summary>
    public CloudRunTarget? Target { get; init; }

    public required DateTimeOffset EventTime { get; init; }

    public SccFinding Finding => Notification.Finding;

    /// <summary>The part being collected: 1 at delivery, n ≥ 2 at a completion.</summary>
    public int Part { get; init; } = 1;

    /// <summary>
    /// At a completion: where each outstanding windowed collector starts reading (the previous part's covered end,
    /// or its window start when that read failed). Absent collectors read their configured window.
    /// </summary>
    public IReadOnlyDictionary<string, DateTimeOffset> ResumeFrom { get; init; } = new Dictionary<string, DateTimeOffset>();
}
