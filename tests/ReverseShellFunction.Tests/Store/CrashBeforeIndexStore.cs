using ReverseShellFunction.Bundle;
using ReverseShellFunction.Store;

namespace ReverseShellFunction.Tests.Store;

/// <summary>A store whose process "dies" after the bundle is stored and before its index entry is written.</summary>
internal sealed class CrashBeforeIndexStore(IEvidenceStore inner) : IEvidenceStore
{
    public string Location => inner.Location;

    public Task<StoredObject?> GetBundleAsync(BundleId id, CancellationToken cancellationToken) => inner.GetBundleAsync(id, cancellationToken);

    public Task<StoredObject?> GetIndexEntryObjectAsync(BundleId id, CancellationToken cancellationToken) => inner.GetIndexEntryObjectAsync(id, cancellationToken);

    public Task<CreateResult> CreateBundleAsync(BundleId id, Stream content, BundleMetadata metadata, CancellationToken cancellationToken) =>
        inner.CreateBundleAsync(id, content, metadata, cancellationToken);

    public Task<CreateResult> CreateIndexEntryAsync(BundleId id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        throw new EvidenceStoreException("Simulated crash between the bundle and its index entry.");

    public Task<CreateResult> CreateQuarantineAsync(string objectName, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        inner.CreateQuarantineAsync(objectName, json, cancellationToken);

    public Task<Stream> OpenBundleAsync(BundleId id, CancellationToken cancellationToken) => inner.OpenBundleAsync(id, cancellationToken);

    public Task<byte[]?> ReadIndexEntryAsync(BundleId id, CancellationToken cancellationToken) => inner.ReadIndexEntryAsync(id, cancellationToken);

    public IAsyncEnumerable<string> ListIndexObjectNamesAsync(CancellationToken cancellationToken) => inner.ListIndexObjectNamesAsync(cancellationToken);

    public IAsyncEnumerable<StoredObject> ListBundleObjectsAsync(CancellationToken cancellationToken) => inner.ListBundleObjectsAsync(cancellationToken);
}
