using Microsoft.Extensions.Logging;
using ReverseShellFunction.Audit;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Findings;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Pipeline;

/// <summary>
/// The pipeline's reads of stored parts: a part's index entry, written from the stored part when a crash came
/// between the part and its entry (crash repair), and the notification a part recorded.
/// </summary>
internal sealed class StoredParts(IEvidenceStore store, PartAnnouncer announcer, ILogger logger)
{
    public static IndexEntry IndexEntryFor(BundleId id, long size, string sha256, EvidenceSummary summary, SealRecord? seal, PartLink? previousPart) => new()
    {
        Summary = summary,
        Bundle = new BundleReference(BundleLayout.BundleObject(id), size, sha256),
        Seal = seal,
        Part = id.Part,
        PreviousPart = previousPart,
    };

    /// <summary>The part's index entry; written from the stored part when a crash left it missing; null when the part is not stored.</summary>
    /// <param name="repaired">Where the part's number is added when its entry was written now.</param>
    public async Task<IndexEntry?> IndexOrRepairAsync(BundleId id, CancellationToken cancellationToken, ICollection<int>? repaired = null)
    {
        if (await store.ReadIndexEntryAsync(id, cancellationToken) is { } existing)
        {
            var objectName = BundleLayout.IndexObject(id);
            try
            {
                return Audit.StoredShape.Read<IndexEntry>(existing, objectName);
            }
            catch (InvalidDataException ex)
            {
                // Stored evidence that does not read (invalid JSON, "summary": null) is for a person to look at, not a
                // bug: 503, so the delivery or task is retried and, if it stays so, dead-letters; never a 500.
                logger.LogError("The stored index entry {ObjectName} is unreadable: {Problem}", objectName, ex.Message);
                throw new EvidenceStoreException($"The stored index entry {objectName} is unreadable: {ex.Message}", ex);
            }
        }

        if (await store.GetBundleAsync(id, cancellationToken) is not { } stored)
        {
            return null;
        }

        // A crash between part and index left the part alone: rebuild the entry from the stored bytes.
        (long Size, string Sha256, EvidenceSummary Summary, Manifest Manifest) read;
        await using (var bundle = await store.OpenBundleAsync(id, cancellationToken))
        {
            try
            {
                read = await StoredBundleReader.ReadPartAsync(bundle, cancellationToken);
            }
            catch (InvalidDataException ex)
            {
                // Damaged stored evidence is for a person to look at: 5xx, so the delivery dead-letters.
                throw new EvidenceStoreException($"Part {id.Part} of bundle {id.Value} is stored but unreadable, so no index entry is written for it: {ex.Message}", ex);
            }
        }

        // Never index bytes that differ from what was recorded when the part was written: answer 5xx so the
        // delivery ends in the dead-letter topic and a person looks, rather than vouching for altered evidence.
        if (stored.MetadataSha256 is { } recorded && !string.Equals(recorded, read.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            logger.LogError("Part {Part} of bundle {BundleId} reads as sha256 {Actual} but {Recorded} was recorded when it was stored; not indexing it", id.Part, id.Value, read.Sha256, recorded);
            throw new EvidenceStoreException($"Integrity check failed for part {id.Part} of bundle {id.Value}: sha256 {read.Sha256} read, {recorded} recorded when it was stored.");
        }

        var entry = IndexEntryFor(id, read.Size, read.Sha256, read.Summary, await StoredSeal.ReadAsync(store, id, cancellationToken), read.Manifest.PreviousPart);
        await store.CreateIndexEntryAsync(id, EvidenceJson.Serialize(entry), cancellationToken);
        logger.LogWarning("Part {Part} of bundle {BundleId} had no index entry; wrote it from the stored part", id.Part, id.Value);
        repaired?.Add(id.Part);

        // The crash came before the notification too: people hear of this part now.
        await announcer.AnnounceAsync(entry, cancellationToken);
        return entry;
    }

    /// <summary>The notification part <paramref name="bundle"/> stored (part 1, or a part recording a differing delivery), read back through its index entry's hash.</summary>
    public async Task<SccNotification> ReadNotificationAsync(BundleId bundle, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var first = await IndexOrRepairAsync(bundle, cancellationToken)
            ?? throw new EvidenceStoreException($"Part {bundle.Part} of bundle {bundle.Value} is not stored: its notification cannot be read.");
        byte[] bytes;
        await using (var stream = await store.OpenBundleAsync(bundle, cancellationToken))
        {
            try
            {
                bytes = await StoredBundleReader.ReadEntryAsync(stream, BundleLayout.Entries.Notification, first.Bundle.Sha256, NotificationDecoder.MaxMessageBytes, cancellationToken);
            }
            catch (InvalidDataException ex)
            {
                throw new EvidenceStoreException($"Part {bundle.Part} of bundle {bundle.Value} cannot be completed: {ex.Message}", ex);
            }
        }

        try
        {
            return NotificationDecoder.Parse(bytes, now);
        }
        catch (InvalidDeliveryException ex)
        {
            throw new EvidenceStoreException($"The notification stored in part {bundle.Part} of bundle {bundle.Value} no longer decodes: {ex.Message}", ex);
        }
    }
}
