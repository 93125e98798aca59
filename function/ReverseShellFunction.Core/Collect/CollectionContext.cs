using ReverseShellFunction.Findings;

namespace ReverseShellFunction.Collect;

/// <summary>What the collectors know about the finding event they collect for.</summary>
public sealed record CollectionContext
{
    public required SccNotification Notification { get; init; }

    /// <summary>The Cloud Run service or job the finding names; null when the resource is not Cloud Run.</summary>
    public CloudRunTarget? Target { get; init; }

    public required DateTimeOffset EventTime { get; init; }

    public SccFinding Finding => Notification.Finding;
}
