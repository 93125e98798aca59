using System.Runtime.ExceptionServices;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;
using ReverseShellFunction.Text;

namespace ReverseShellFunction.Audit;

/// <summary>
/// Checks one bundle end to end against the store: the bundle object's bytes against its index entry and its
/// object metadata, the zip against its manifest, and the manifest and summary.json against the index entry.
/// The bundle is streamed through a temporary file, so memory stays bounded whatever its size. Store failures
/// propagate as <see cref="EvidenceStoreException"/>; everything found wrong is returned as problems.
/// </summary>
/// <remarks>Whether bundle objects must carry hash metadata is the store's own statement (<see cref="IEvidenceReader.Guarantees"/>).</remarks>
/// <param name="trust">Keys and TSA certificates for the custody checks (Audit/SignatureCheck.cs); none by default.</param>
public sealed class BundleVerifier(IEvidenceReader store, Custody.CustodyTrust? trust = null)
{
    private readonly IEvidenceReader _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly Custody.CustodyTrust _trust = trust ?? Custody.CustodyTrust.None;

    /// <summary>Whether the store holds the part, as an index entry or a bundle object.</summary>
    public async Task<bool> HasPartAsync(BundleId id, CancellationToken cancellationToken) =>
        await _store.GetIndexEntryObjectAsync(id, cancellationToken) is not null || await _store.GetBundleAsync(id, cancellationToken) is not null;

    /// <param name="listedBundle">The bundle object as a listing already described it, which saves a lookup.</param>
    /// <param name="readIndex">False for the checks <c>get --manifest-only</c> still can make: everything but the index entry, which is not read.</param>
    /// <param name="whenVerified">
    /// Runs on the spooled bundle only when every check passed, before the spool is deleted: <c>get</c> extracts
    /// there, so it keeps exactly what <c>verify</c> vouches for and nothing else.
    /// </param>
    /// <remarks>
    /// Never throws for what the store holds: a damaged object of any shape is reported as a problem of its
    /// bundle, so an audit goes on to the next one. Only cancellation and a failure of the callback leave.
    /// </remarks>
    internal async Task<BundleVerification> VerifyAsync(
        BundleId id,
        StoredObject? listedBundle,
        Func<StoredPart, VerificationLog, Task>? whenVerified,
        IProgress<TransferProgress>? download,
        CancellationToken cancellationToken,
        bool readIndex = true)
    {
        ArgumentNullException.ThrowIfNull(id);
        var log = VerificationLog.ForBundle(id.ObjectStem);
        try
        {
            var index = readIndex ? await ReadIndexAsync(id, log, cancellationToken) : NotRead(log);

            // The checks across a bundle's parts need the newest part's completion state: carried from this read, so
            // `verify --all` does not read the index entry a second time, one bundle after the other.
            BundleVerification Done(BundleVerification result) =>
                readIndex ? result with { IndexRead = true, Completion = index.Entry?.Entry.Summary.Completion } : result;

            var stored = listedBundle ?? await _store.GetBundleAsync(id, cancellationToken);
            if (stored is null)
            {
                if (!readIndex)
                {
                    log.Problem(ProblemKind.NotFound, $"there is no bundle object {BundleLayout.BundleObject(id)}", expected: BundleLayout.BundleObject(id), found: "no object");
                }
                else if (index.Present)
                {
                    log.Problem(
                        ProblemKind.BundleMissing,
                        $"the bundle object {BundleLayout.BundleObject(id)} is missing; the index entry {BundleLayout.IndexObject(id)} points at it",
                        expected: BundleLayout.BundleObject(id),
                        found: "no object");
                }
                else
                {
                    log.Problem(ProblemKind.NotFound, "neither a bundle object nor an index entry has this id", expected: "a bundle and its index entry", found: "neither");
                }

                log.Check("bundle-object", CheckOutcome.Failed, BundleLayout.BundleObject(id));
                return Done(log.Result(id.ObjectStem, null, null));
            }

            log.Check("bundle-object", CheckOutcome.Passed, $"{stored.Name}, {stored.Size} bytes");
            // Bytes copied from the store, against the size the store gives for the object.
            Action<long>? copied = download is null ? null : value => download.Report(new TransferProgress("downloading", value, Math.Max(stored.Size, value)));
            await using (var bundle = await StoredPart.OpenAsync(_store, id, copied, cancellationToken))
            {
                // The object's hash runs on another thread while the zip is inflated here; the zip's checks go to a
                // branch so the report lists the byte checks first, as when they ran one after the other.
                var inside = log.Branch();
                ExceptionDispatchInfo? failure = null;
                try
                {
                    await BundleContentCheck.RunAsync(bundle, index.Entry, _trust, inside, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Reported by VerifyAsync, after the byte checks, once the hash is done with the file.
                    failure = ExceptionDispatchInfo.Capture(ex);
                }

                await bundle.Sha256Async();
                ObjectBytesCheck.Run(bundle, stored, index.Entry, _store.Guarantees.KeepsHashMetadata, log);
                log.Append(inside);
                failure?.Throw();
                if (whenVerified is not null && log.ProblemCount == 0)
                {
                    try
                    {
                        await whenVerified(bundle, log);
                    }
                    catch (Exception ex)
                    {
                        throw new CallbackException(ex);
                    }
                }
            }

            if (index.Entry is { } checkedEntry)
            {
                await PartChainCheck.RunAsync(_store, id, checkedEntry, log, cancellationToken);
            }

            // Both objects are evidence: report the retention and holds of the index entry too.
            var indexObject = index.Present ? await _store.GetIndexEntryObjectAsync(id, cancellationToken) : null;
            var retention = indexObject is null
                ? $"bundle: {stored.RetentionState}"
                : $"bundle: {stored.RetentionState}; index entry: {indexObject.RetentionState}";
            log.Check("retention", CheckOutcome.Passed, retention);
            return Done(log.Result(id.ObjectStem, null, retention));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (CallbackException ex)
        {
            throw ex.InnerException!;
        }
        catch (EvidenceStoreException ex)
        {
            log.Problem(ProblemKind.StoreReadFailed, $"could not be read from the store: {DisplayText.Visible(ex.Message)}");
            log.Check("store-read", CheckOutcome.Failed, "store failure");
            return log.Result(id.ObjectStem, null, null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A shape no check above names (a byte flip can give any exception from the zip reader): still a
            // problem of this bundle, never the end of the audit.
            log.Problem(ProblemKind.Unreadable, $"could not be checked to the end: {ex.GetType().Name}: {DisplayText.Visible(ex.Message)}");
            log.Check("readable", CheckOutcome.Failed, ex.GetType().Name);
            return log.Result(id.ObjectStem, null, null);
        }
    }

    private static (bool Present, StoredIndexEntry? Entry) NotRead(VerificationLog log)
    {
        log.Check("index-entry", CheckOutcome.Skipped, "not read (--manifest-only): nothing is compared with it");
        return (false, null);
    }

    /// <summary>Carries the callback's own failure past the safety net, which is for what the store holds.</summary>
    private sealed class CallbackException(Exception inner) : Exception(inner.Message, inner);

    private async Task<(bool Present, StoredIndexEntry? Entry)> ReadIndexAsync(BundleId id, VerificationLog log, CancellationToken cancellationToken)
    {
        var name = BundleLayout.IndexObject(id);
        var bytes = await _store.ReadIndexEntryAsync(id, cancellationToken);
        if (bytes is null)
        {
            log.Problem(ProblemKind.IndexEntryMissing, $"the index entry {name} is missing", expected: name, found: "no object");
            log.Check("index-entry", CheckOutcome.Failed, name);
            return (false, null);
        }

        StoredIndexEntry entry;
        try
        {
            entry = StoredIndexEntry.Parse(id, bytes);
        }
        catch (UnreadableObjectException ex)
        {
            log.Problem(ProblemKind.IndexEntryUnreadable, $"the index entry {name} is unreadable: {DisplayText.Visible(ex.Problem)}", file: name);
            log.Check("index-entry", CheckOutcome.Failed, name);
            return (true, null);
        }

        var before = log.ProblemCount;
        Expect(log, name, "bundle.objectName", BundleLayout.BundleObject(id), entry.Entry.Bundle.ObjectName);
        Expect(log, name, "summary.bundleId", id.Value, entry.Entry.Summary.BundleId);
        Expect(log, name, "part", $"{id.Part}", $"{entry.Part}");
        log.Outcome("index-entry", before, $"{name} names this bundle");
        return (true, entry);
    }

    private static void Expect(VerificationLog log, string objectName, string field, string expected, string found)
    {
        if (!string.Equals(expected, found, StringComparison.Ordinal))
        {
            log.Problem(
                ProblemKind.IndexEntryWrong,
                $"the index entry {objectName} has {field} '{DisplayText.Visible(found)}', expected '{expected}'",
                objectName,
                expected,
                DisplayText.Visible(found));
        }
    }
}
