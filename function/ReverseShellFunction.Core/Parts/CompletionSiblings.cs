using System.Collections.Concurrent;
using System.Globalization;
using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Parts;

/// <summary>
/// The later parts this instance scheduled, by group: parts of findings on one resource that fall due in the
/// same minute read the same log windows. Cloud Tasks paces completions one by one (its rate is sized for
/// completions that share nothing), so 31 findings on one service would wait 31 dispatches; instead, the
/// completion that runs first also runs its due siblings, whose reads the instance's log-read coalescer answers
/// from the pages just read. Their own tasks stay scheduled: when they come, the part is stored and they end at
/// once, and when this instance is gone they are the completion as before. In memory, bounded, best effort.
/// </summary>
public sealed class CompletionSiblings
{
    /// <summary>How many siblings one completion runs with it at most.</summary>
    public const int MaxPerCompletion = 64;

    private readonly ConcurrentDictionary<CompletionRequest, (string Group, DateTimeOffset Due)> _scheduled = new();

    /// <summary>Entries kept at most; past it, new parts are not remembered (their tasks still complete them).</summary>
    public int Capacity { get; init; } = 10_000;

    public int Count => _scheduled.Count;

    /// <summary>The group of a part: the resource its logs are read for, and the minute it falls due.</summary>
    public static string? GroupOf(string? resource, DateTimeOffset due) =>
        string.IsNullOrEmpty(resource) ? null : $"{resource}|{due.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}";

    public void Remember(CompletionTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.Group is { } group && _scheduled.Count < Capacity)
        {
            _scheduled[task.Request] = (group, task.Due);
        }
    }

    /// <summary>
    /// Forgets <paramref name="done"/> and takes its siblings that are due at <paramref name="now"/>; empty when
    /// this instance did not schedule <paramref name="done"/>. A taken sibling is not handed out twice.
    /// </summary>
    public IReadOnlyList<CompletionTask> TakeDueSiblings(CompletionRequest done, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(done);
        if (!_scheduled.TryRemove(done, out var own))
        {
            return [];
        }

        var taken = new List<CompletionTask>();
        foreach (var (request, (group, due)) in _scheduled)
        {
            if (taken.Count == MaxPerCompletion)
            {
                break;
            }

            if (group == own.Group && due <= now && _scheduled.TryRemove(request, out _) && Bundle.BundleId.TryParse(request.BundleId, out var id))
            {
                taken.Add(new CompletionTask(id, request.Part, due) { Group = group });
            }
        }

        return taken;
    }
}

/// <summary>A scheduler that also tells <see cref="CompletionSiblings"/> what it scheduled.</summary>
public sealed class SiblingRecordingScheduler(ICompletionScheduler inner, CompletionSiblings siblings) : ICompletionScheduler
{
    public string Kind => inner.Kind;

    public async Task<ScheduleResult> ScheduleAsync(CompletionTask task, CancellationToken cancellationToken)
    {
        var result = await inner.ScheduleAsync(task, cancellationToken);
        siblings.Remember(task);
        return result;
    }
}
