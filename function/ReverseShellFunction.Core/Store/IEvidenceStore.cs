using ReverseShellFunction.Bundle;

namespace ReverseShellFunction.Store;

/// <summary>
/// Where bundles, index entries and quarantined requests live. Every write is create-only: an object that
/// exists is never replaced, and the answer says so. Dependency failures throw <see cref="EvidenceStoreException"/>.
/// Object names follow <see cref="StoreLayout"/> in every implementation.
/// </summary>
public interface IEvidenceStore
{
    /// <summary>Where the store is, for messages: a folder path or <c>gs://bucket</c>.</summary>
    string Location { get; }

    Task<StoredObject?> GetBundleAsync(BundleId id, CancellationToken cancellationToken);

    /// <summary>The index entry object (size, retention and holds), or null when there is none.</summary>
    Task<StoredObject?> GetIndexEntryObjectAsync(BundleId id, CancellationToken cancellationToken);

    Task<CreateResult> CreateBundleAsync(BundleId id, Stream content, BundleMetadata metadata, CancellationToken cancellationToken);

    Task<CreateResult> CreateIndexEntryAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken);

    Task<CreateResult> CreateQuarantineAsync(string objectName, ReadOnlyMemory<byte> json, CancellationToken cancellationToken);

    /// <summary>Opens the bundle's bytes for reading.</summary>
    /// <exception cref="EvidenceNotFoundException">No such bundle.</exception>
    Task<Stream> OpenBundleAsync(BundleId id, CancellationToken cancellationToken);

    /// <summary>The index entry's bytes, or null when there is none.</summary>
    Task<byte[]?> ReadIndexEntryAsync(BundleId id, CancellationToken cancellationToken);

    /// <summary>Names of every object under <c>index/</c>, in lexical order, which is time order.</summary>
    IAsyncEnumerable<string> ListIndexObjectNamesAsync(CancellationToken cancellationToken);

    /// <summary>Every object under <c>bundles/</c>, oldest first.</summary>
    IAsyncEnumerable<StoredObject> ListBundleObjectsAsync(CancellationToken cancellationToken);
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
public sealed record BundleMetadata(string Sha256, string BundleId, string FindingName, DateTimeOffset EventTime, long Size);
