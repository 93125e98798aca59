using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Completion;

/// <summary>
/// <c>pending/YYYY/MM/DD/{id}.part-{n}.json</c>: the embedded default's durable statement that part n of a bundle
/// is due, written create-only after part n−1's index entry and never deleted. <c>serve</c> and <c>complete</c>
/// run the records whose part has no index entry yet; once it has one, the record is history.
/// </summary>
public sealed record PendingRecord
{
    public const string CurrentSchema = "reverse-shell-evidence/pending/v1";

    public string Schema { get; init; } = CurrentSchema;
    public required string BundleId { get; init; }
    public required int Part { get; init; }
    public required DateTimeOffset Due { get; init; }
    public DateTimeOffset? GiveUpAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// The scheduler of the embedded default: a pending record in the evidence store. A record that exists already
/// means the part was scheduled before (a redelivery, or a retry after a crash).
/// </summary>
public sealed class PendingRecordScheduler : ICompletionScheduler
{
    private readonly IEvidenceArchive _store;
    private readonly TimeProvider _time;
    private readonly Action<CompletionTask>? _scheduled;

    /// <param name="scheduled">Told of every new record, so a runner in the same process can wake up for it.</param>
    public PendingRecordScheduler(IEvidenceArchive store, TimeProvider time, Action<CompletionTask>? scheduled = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = time ?? TimeProvider.System;
        _scheduled = scheduled;
    }

    public string Kind => "pending-records";

    public async Task<ScheduleResult> ScheduleAsync(CompletionTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var record = new PendingRecord
        {
            BundleId = task.Id.Value,
            Part = task.Part,
            Due = task.Due,
            GiveUpAt = task.GiveUpAt,
            CreatedAt = _time.GetUtcNow(),
        };
        CreateResult created;
        try
        {
            created = await _store.CreatePendingAsync(task.Id.WithPart(task.Part), EvidenceJson.Serialize(record), cancellationToken);
        }
        catch (EvidenceStoreException ex)
        {
            throw new CompletionSchedulingException($"The pending record {StoreLayout.PendingObject(task.Id.WithPart(task.Part))} could not be written: {ex.Message}", ex);
        }

        if (created == CreateResult.AlreadyExists)
        {
            return ScheduleResult.AlreadyScheduled;
        }

        _scheduled?.Invoke(task);
        return ScheduleResult.Scheduled;
    }
}
