using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Parts;

/// <summary>
/// Schedules the collection of a bundle's next part for a later moment (Cloud Tasks in a deployment; the
/// evidence folder's pending records in the embedded default). Scheduling the same part twice is not an
/// error: the second call answers <see cref="ScheduleResult.AlreadyScheduled"/>, so a redelivered event never
/// schedules twice.
/// </summary>
public interface ICompletionScheduler
{
    /// <summary>A word for logs and replay's output, e.g. <c>cloud-tasks</c> or <c>pending-records</c>.</summary>
    string Kind { get; }

    /// <exception cref="CompletionSchedulingException">The scheduler could not be reached or refused the task.</exception>
    Task<ScheduleResult> ScheduleAsync(CompletionTask task, CancellationToken cancellationToken);
}

/// <summary>Collect part <paramref name="Part"/> of bundle <paramref name="Id"/>, not before <paramref name="Due"/>.</summary>
public sealed record CompletionTask(BundleId Id, int Part, DateTimeOffset Due)
{
    /// <summary>When the completion stores the bundle as incomplete instead of retrying; null when unknown.</summary>
    public DateTimeOffset? GiveUpAt { get; init; }

    /// <summary>Parts of one group read the same log windows (<see cref="CompletionSiblings.GroupOf"/>); null when unknown.</summary>
    public string? Group { get; init; }

    /// <summary>The completion endpoint's request body: <c>{"bundleId":"…","part":n}</c>.</summary>
    public CompletionRequest Request => new(Id.Value, Part);
}

public enum ScheduleResult
{
    Scheduled,
    AlreadyScheduled,
}

/// <summary>A scheduler that failed after its own retries; the caller answers 503 so the delivery comes back.</summary>
public sealed class CompletionSchedulingException(string message, Exception innerException)
    : Exception(message, innerException);
