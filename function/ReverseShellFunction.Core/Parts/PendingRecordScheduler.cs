using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Parts;

/// <summary>
/// The scheduler of the embedded default: a pending record in the evidence store. A record that exists already
/// means the part was scheduled before (a redelivery, or a retry after a crash).
/// </summary>
/// <param name="scheduled">Told of every new record, so a runner in the same process can wake up for it.</param>
public sealed class PendingRecordScheduler(IEvidenceArchive store, TimeProvider time, Action<CompletionTask>? scheduled = null) : ICompletionScheduler
{
    private readonly IEvidenceArchive _store = store ?? throw new ArgumentNullException(nameof(store));

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
            CreatedAt = time.GetUtcNow(),
        };
        CreateResult created;
        try
        {
            created = await _store.CreatePendingAsync(task.Id.WithPart(task.Part), EvidenceJson.Serialize(record), cancellationToken);
        }
        catch (EvidenceStoreException ex)
        {
            throw new CompletionSchedulingException($"The pending record {BundleLayout.PendingObject(task.Id.WithPart(task.Part))} could not be written: {ex.Message}", ex);
        }

        if (created == CreateResult.AlreadyExists)
        {
            return ScheduleResult.AlreadyScheduled;
        }

        scheduled?.Invoke(task);
        return ScheduleResult.Scheduled;
    }
}
