using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Store;

/// <summary>
/// What the auditor and responder read: bundles, index entries, listings. <c>list</c>, <c>show</c>, <c>get</c>
/// and <c>verify</c> take only this port. Dependency failures throw <see cref="EvidenceStoreException"/>.
/// </summary>
public interface IEvidenceReader
{
    /// <summary>Where the store is, for messages: a folder path or <c>gs://bucket</c>.</summary>
    string Location { get; }

    /// <summary>What this store can prove about its objects, so an audit checks it instead of guessing.</summary>
    StoreGuarantees Guarantees => StoreGuarantees.None;

    Task<StoredObject?> GetBundleAsync(BundleId id, CancellationToken cancellationToken);

    /// <summary>The index entry object (size, retention and holds), or null when there is none.</summary>
    Task<StoredObject?> GetIndexEntryObjectAsync(BundleId id, CancellationToken cancellationToken);

    /// <summary>Opens the bundle's bytes for reading.</summary>
    /// <exception cref="EvidenceNotFoundException">No such bundle.</exception>
    Task<Stream> OpenBundleAsync(BundleId id, CancellationToken cancellationToken);

    /// <summary>The index entry's bytes, or null when there is none.</summary>
    Task<byte[]?> ReadIndexEntryAsync(BundleId id, CancellationToken cancellationToken);

    /// <summary>Names of every object under <c>index/</c>, in lexical order, which is time order.</summary>
    IAsyncEnumerable<string> ListIndexObjectNamesAsync(CancellationToken cancellationToken);

    /// <summary>Every object under <c>bundles/</c>, oldest first.</summary>
    IAsyncEnumerable<StoredObject> ListBundleObjectsAsync(CancellationToken cancellationToken);

    /// <summary>Names of every object under <c>pending/</c> (the embedded default's completion records), in lexical order.</summary>
    IAsyncEnumerable<string> ListPendingObjectNamesAsync(CancellationToken cancellationToken);

    /// <summary>The pending record of part <see cref="BundleId.Part"/> (≥ 2), or null when there is none.</summary>
    Task<byte[]?> ReadPendingAsync(BundleId id, CancellationToken cancellationToken);
}

/// <summary>
/// What the pipeline writes. Every write is create-only: an object that exists is never replaced, and the
/// answer says so. Object names follow <see cref="BundleLayout"/> in every implementation.
/// </summary>
public interface IEvidenceArchive
{
    Task<CreateResult> CreateBundleAsync(BundleId id, Stream content, BundleMetadata metadata, CancellationToken cancellationToken);

    Task<CreateResult> CreateIndexEntryAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken);

    /// <summary>Records that part <see cref="BundleId.Part"/> (≥ 2) is due; create-only, never deleted (WORM-safe).</summary>
    Task<CreateResult> CreatePendingAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken);

    Task<CreateResult> CreateQuarantineAsync(string objectName, ReadOnlyMemory<byte> json, CancellationToken cancellationToken);

    /// <summary>
    /// A delivery's lease on collecting part 1 (<see cref="BundleLayout.ClaimObject"/>, generation ≥ 1); create-only and
    /// never deleted: a later delivery takes over an expired lease by creating the next generation, which only one can.
    /// </summary>
    Task<CreateResult> CreateClaimAsync(BundleId id, int generation, ReadOnlyMemory<byte> json, CancellationToken cancellationToken);

    /// <summary>The claim of <paramref name="generation"/>, or null when there is none.</summary>
    Task<byte[]?> ReadClaimAsync(BundleId id, int generation, CancellationToken cancellationToken);
}

/// <summary>
/// A store as the pipeline uses it: it writes, and reads back what it wrote (a redelivery finds the stored
/// bundle; a crash between bundle and index entry is repaired from the stored bytes).
/// </summary>
public interface IEvidenceStore : IEvidenceReader, IEvidenceArchive;

/// <summary>What a store can prove about what it holds.</summary>
/// <param name="KeepsHashMetadata">Bundle objects carry their SHA-256 in object metadata (a bucket); its absence is then a problem.</param>
/// <param name="ReportsRetention">The store reports retention policies and holds (a bucket), not only file permissions.</param>
public sealed record StoreGuarantees(bool KeepsHashMetadata, bool ReportsRetention)
{
    public static readonly StoreGuarantees None = new(false, false);
}

/// <summary>What a create-only write found.</summary>
public enum CreateResult
{
    Created,
    AlreadyExists,
}

/// <summary>
/// A stored object: its name and size, the SHA-256 recorded in its metadata when the store keeps metadata,
/// and its retention or hold state as the store reports it.
/// </summary>
public sealed record StoredObject(
    string Name,
    long Size,
    string? MetadataSha256,
    IReadOnlyDictionary<string, string> Metadata,
    string RetentionState);

/// <summary>Metadata a bundle object carries where the store supports it.</summary>
public sealed record BundleMetadata(string Sha256, string BundleId, string FindingName, DateTimeOffset EventTime, long Size)
{
    /// <summary>Which part of the bundle the object is.</summary>
    public int Part { get; init; } = 1;
}

/// <summary>
/// The quarantine records a store keeps (<see cref="BundleLayout.QuarantinePrefix"/>), read-only: what <c>quarantine
/// list</c> and <c>quarantine show</c> read. Only the stores the function writes to implement it.
/// </summary>
public interface IQuarantineReader
{
    /// <summary>Names of every object under <c>quarantine/</c>, in lexical order, which is time order.</summary>
    IAsyncEnumerable<string> ListQuarantineObjectNamesAsync(CancellationToken cancellationToken);

    /// <summary>The record's bytes, or null when there is none.</summary>
    /// <exception cref="ArgumentException">The name is not a quarantine object name.</exception>
    Task<byte[]?> ReadQuarantineAsync(string objectName, CancellationToken cancellationToken);
}
