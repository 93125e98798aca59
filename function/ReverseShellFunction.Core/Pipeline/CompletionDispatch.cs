using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Collection;
using ReverseShellFunction.Parts;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// One completion dispatch (Cloud Tasks' <c>POST /completions</c>): the part asked for and, once that part was
/// collected now, the due parts this instance scheduled in its group (<see cref="CompletionSiblings"/>: same
/// resource, due the same minute, so the same log reads). Every Logging read of the dispatch counts against one
/// allowance (<see cref="IDispatchReads"/>).
/// </summary>
/// <param name="requestTimeout">Cloud Run cuts the request off at its timeout, and Cloud Tasks stops waiting at the same dispatchDeadline.</param>
public sealed class CompletionDispatch(
    EvidenceFunction function,
    CollectionOptions collection,
    TimeSpan requestTimeout,
    TimeProvider time,
    ILogger<CompletionDispatch> logger,
    CompletionSiblings? siblings = null,
    IDispatchReads? reads = null)
{
    // Siblings run beside each other as the deliveries of a burst do; their reads are mostly answered by the coalescer.
    private const int SiblingConcurrency = 4;

    /// <summary>
    /// Time a part needs after its collection deadline: building, sealing (KMS, TSA) and storing the zip and index.
    /// A sibling is started only when the collection deadline plus this still fits before the request timeout.
    /// </summary>
    private static readonly TimeSpan s_storeAllowance = TimeSpan.FromSeconds(30);

    /// <returns>The requested part's result; a sibling's outcome is only logged.</returns>
    /// <exception cref="EvidenceStoreException">The store failed on the requested part.</exception>
    public async Task<CompletionResult> RunAsync(CompletionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var requestEnds = time.GetUtcNow() + requestTimeout;
        var allowance = reads?.Start();
        var result = await function.CompleteAsync(request, cancellationToken);

        // Only after a part was collected now: its reads are the ones the siblings share.
        if (result.Outcome == CompletionOutcome.Done && result.Stored is not null && siblings is not null)
        {
            await RunSiblingsAsync(siblings, request, requestEnds, allowance, cancellationToken);
        }

        return result;
    }

    /// <summary>
    /// Runs the due siblings of <paramref name="done"/>. The first sibling that cannot finish now (quota, 5xx, not
    /// due) stops the batch: the ones not started go back for the next completion of the group, and every sibling
    /// that was tried is left to its own task and its queue's backoff, so a spent quota is never retried in a loop.
    /// A sibling that could not finish before the request timeout (a part may take the collection deadline and the
    /// time to store) is not started either: cut off halfway, it would be lost work, and its own task does it instead.
    /// </summary>
    private async Task RunSiblingsAsync(
        CompletionSiblings siblings, CompletionRequest done, DateTimeOffset requestEnds, IReadAllowance? allowance, CancellationToken cancellationToken)
    {
        var due = siblings.TakeDueSiblings(done, time.GetUtcNow());
        if (due.Count == 0)
        {
            return;
        }

        var partTakes = collection.Deadline + s_storeAllowance;
        var (stored, tried, outOfTime, noReads) = (0, 0, 0, 0);
        var stop = false;
        using var slots = new SemaphoreSlim(SiblingConcurrency);
        var running = new List<Task>();
        foreach (var task in due)
        {
            await slots.WaitAsync(cancellationToken);
            if (!Volatile.Read(ref stop) && time.GetUtcNow() + partTakes > requestEnds)
            {
                Volatile.Write(ref stop, true);
                outOfTime = due.Count - tried;
            }

            if (!Volatile.Read(ref stop) && allowance is { Left: 0 })
            {
                // The dispatch's Logging reads are spent: the rest are left to their own tasks.
                Volatile.Write(ref stop, true);
                noReads = due.Count - tried;
            }

            if (Volatile.Read(ref stop))
            {
                slots.Release();
                siblings.Remember(task);
                continue;
            }

            tried++;
            running.Add(RunOneAsync(task));
        }

        await Task.WhenAll(running);
        logger.LogInformation(
            "Completion of {BundleId} part {Part} also ran {Tried} of {Siblings} sibling part(s) of the same resource due the same minute: {Stored} stored; {OutOfTime} not started for lack of time before the request timeout, {NoReads} for lack of Logging reads ({ReadsLeft} of {Reads} left)",
            done.BundleId,
            done.Part,
            tried,
            due.Count,
            stored,
            outOfTime,
            noReads,
            allowance?.Left,
            allowance?.Reads);

        async Task RunOneAsync(CompletionTask task)
        {
            try
            {
                var result = await function.CompleteAsync(task.Request, cancellationToken);
                if (result.Outcome == CompletionOutcome.Later)
                {
                    Volatile.Write(ref stop, true);
                }
                else if (result.Stored is not null)
                {
                    Interlocked.Increment(ref stored);
                }
            }
            catch (EvidenceStoreException ex)
            {
                Volatile.Write(ref stop, true);
                logger.LogWarning(ex, "Sibling completion of {BundleId} part {Part} failed; its own task retries it", task.Id.Value, task.Part);
            }
            finally
            {
                slots.Release();
            }
        }
    }
}
