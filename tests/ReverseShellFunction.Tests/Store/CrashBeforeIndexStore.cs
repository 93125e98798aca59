using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Store;

/// <summary>
/// A store whose process "dies" after the part is stored and before its index entry is written, or (with
/// <paramref name="crashIndex"/> false) after the index entry and before the next part's pending record, as
/// many times as <paramref name="pendingCrashes"/> says.
/// </summary>
internal sealed class CrashBeforeIndexStore(IEvidenceStore inner, bool crashIndex = true, int pendingCrashes = 0) : IEvidenceStore
{
    private int _pendingCrashes = pendingCrashes;

    public string Location => inner.Location;

    public Task<StoredObject?> GetBundleAsync(BundleId id, CancellationToken cancellationToken) => inner.GetBundleAsync(id, cancellationToken);

    public Task<StoredObject?> GetIndexEntryObjectAsync(BundleId id, CancellationToken cancellationToken) => inner.GetIndexEntryObjectAsync(id, cancellationToken);

    public Task<CreateResult> CreateBundleAsync(BundleId id, Stream content, BundleMetadata metadata, CancellationToken cancellationToken) =>
        inner.CreateBundleAsync(id, content, metadata, cancellationToken);

    public Task<CreateResult> CreateIndexEntryAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        crashIndex
            ? throw new EvidenceStoreException("Simulated crash between the bundle and its index entry.")
            : inner.CreateIndexEntryAsync(id, json, cancellationToken);

    public Task<CreateResult> CreatePendingAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        Interlocked.Decrement(ref _pendingCrashes) >= 0
            ? throw new EvidenceStoreException("Simulated crash between the part's index entry and the next part's pending record.")
            : inner.CreatePendingAsync(id, json, cancellationToken);

    public Task<byte[]?> ReadPendingAsync(BundleId id, CancellationToken cancellationToken) => inner.ReadPendingAsync(id, cancellationToken);

    public Task<CreateResult> CreateClaimAsync(BundleId id, int generation, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        inner.CreateClaimAsync(id, generation, json, cancellationToken);

    public Task<byte[]?> ReadClaimAsync(BundleId id, int generation, CancellationToken cancellationToken) => inner.ReadClaimAsync(id, generation, cancellationToken);

    public IAsyncEnumerable<string> ListPendingObjectNamesAsync(CancellationToken cancellationToken) => inner.ListPendingObjectNamesAsync(cancellationToken);

    public Task<CreateResult> CreateQuarantineAsync(string objectName, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        inner.CreateQuarantineAsync(objectName, json, cancellationToken);

    public Task<Stream> OpenBundleAsync(BundleId id, CancellationToken cancellationToken) => inner.OpenBundleAsync(id, cancellationToken);

    public Task<byte[]?> ReadIndexEntryAsync(BundleId id, CancellationToken cancellationToken) => inner.ReadIndexEntryAsync(id, cancellationToken);

    public IAsyncEnumerable<string> ListIndexObjectNamesAsync(CancellationToken cancellationToken) => inner.ListIndexObjectNamesAsync(cancellationToken);

    public IAsyncEnumerable<StoredObject> ListBundleObjectsAsync(CancellationToken cancellationToken) => inner.ListBundleObjectsAsync(cancellationToken);
}
